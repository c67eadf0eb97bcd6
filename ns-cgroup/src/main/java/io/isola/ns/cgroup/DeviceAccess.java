package io.isola.ns.cgroup;

import io.isola.api.ContainerSpec;
import io.isola.api.Devices;
import io.isola.api.Devices.Rule;
import io.isola.api.Security;
import io.isola.spi.Arg;
import io.isola.spi.ContainerBind;
import io.isola.spi.LibcCall;
import io.isola.spi.Step;
import io.isola.spi.Steps;
import io.isola.spi.support.FileModes;
import io.isola.spi.support.SyscallSteps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which devices a container may use: the device cgroup rules its cgroup gets (v1's devices
 * controller, or v2's BPF device filter: the same list), and the device nodes made for
 * {@code --device} inside its {@code /dev}.
 *
 * <p>The default is runc's (what Docker containers get): everything denied, then read, write and
 * mknod allowed for null, zero, full, random, urandom, tty, console, ptmx, the pty slaves and
 * tun/tap, and mknod (only) of any character or block device. So {@code mknod} of a block device
 * works as in Docker, but opening the node does not: the host's disks stay out of reach. A
 * privileged container may use every device, as in Docker.
 */
final class DeviceAccess {

    static final List<Rule> DEFAULTS = List.of(
            new Rule(true, 'c', Rule.ANY, Rule.ANY, "m"),
            new Rule(true, 'b', Rule.ANY, Rule.ANY, "m"),
            new Rule(true, 'c', 1, 3, "rwm"), // null
            new Rule(true, 'c', 1, 5, "rwm"), // zero
            new Rule(true, 'c', 1, 7, "rwm"), // full
            new Rule(true, 'c', 1, 8, "rwm"), // random
            new Rule(true, 'c', 1, 9, "rwm"), // urandom
            new Rule(true, 'c', 5, 0, "rwm"), // tty
            new Rule(true, 'c', 5, 1, "rwm"), // console
            new Rule(true, 'c', 5, 2, "rwm"), // ptmx
            new Rule(true, 'c', 136, Rule.ANY, "rwm"), // pts/*
            new Rule(true, 'c', 10, 200, "rwm")); // net/tun

    private static final int PERMISSIONS = 0777; // no set-id or sticky bit from a host node

    /**
     * A host device resolved for {@code --device}, or a node described by the spec ({@code
     * described}: OCI's linux.devices, whose mapping names its path on both sides).
     */
    record Node(
            Devices.Mapping mapping, char type, long major, long minor, int mode, int uid, int gid, boolean described) {

        Node(Devices.Mapping mapping, char type, long major, long minor, int mode, int uid, int gid) {
            this(mapping, type, major, minor, mode, uid, gid, false);
        }

        /** The rule that lets the container use it; none for a FIFO, which the device cgroup does not govern. */
        java.util.Optional<Rule> rule() {
            return type == 'p'
                    ? java.util.Optional.empty()
                    : java.util.Optional.of(new Rule(true, type, major, minor, mapping.access()));
        }

        static Node of(Devices.Node described) {
            char type = described.type() == 'u' ? 'c' : described.type();
            int kind = switch (type) {
                case 'b' -> FileModes.S_IFBLK;
                case 'p' -> FileModes.S_IFIFO;
                default -> FileModes.S_IFCHR;
            };
            return new Node(
                    new Devices.Mapping(described.path(), described.path(), "rwm"),
                    type,
                    described.major(),
                    described.minor(),
                    kind | described.fileMode(),
                    (int) described.uid(),
                    (int) described.gid(),
                    true);
        }
    }

    private final List<Rule> rules;
    private final List<Node> nodes;

    private DeviceAccess(List<Rule> rules, List<Node> nodes) {
        this.rules = rules;
        this.nodes = nodes;
    }

    /** The device access of {@code spec}; checks its host devices, creating nothing. */
    static DeviceAccess of(ContainerSpec spec) {
        Devices devices = spec.extension(Devices.class).orElse(Devices.builder().build());
        List<Node> nodes = new ArrayList<>();
        for (Devices.Mapping mapping : devices.mappings()) {
            nodes.add(resolve(mapping));
        }
        devices.nodes().forEach(node -> nodes.add(Node.of(node)));
        if (Security.of(spec).privileged()) {
            return new DeviceAccess(null, nodes);
        }
        List<Rule> rules = new ArrayList<>(DEFAULTS);
        nodes.forEach(node -> node.rule().ifPresent(rules::add));
        rules.addAll(devices.rules());
        return new DeviceAccess(List.copyOf(rules), nodes);
    }

    /** The rules to program, in order after denying everything; null when every device is allowed. */
    List<Rule> rules() {
        return rules;
    }

    /** Whether the rules go beyond the defaults (a v2 host without a device filter must refuse those). */
    boolean hasOwnRules() {
        return rules != null && rules.size() > DEFAULTS.size();
    }

    List<Node> nodes() {
        return nodes;
    }

    private static Node resolve(Devices.Mapping mapping) {
        Path host = Path.of(mapping.hostPath());
        try {
            int mode = (Integer) Files.getAttribute(host, "unix:mode");
            int uid = (Integer) Files.getAttribute(host, "unix:uid");
            int gid = (Integer) Files.getAttribute(host, "unix:gid");
            long rdev = (Long) Files.getAttribute(host, "unix:rdev");
            char type = switch (FileModes.type(mode)) {
                case FileModes.S_IFCHR -> 'c';
                case FileModes.S_IFBLK -> 'b';
                default ->
                    throw new IllegalArgumentException(
                            "device \"" + mapping.hostPath() + "\": not a character or block device");
            };
            return new Node(mapping, type, FileModes.major(rdev), FileModes.minor(rdev), mode, uid, gid);
        } catch (IOException e) {
            throw new IllegalArgumentException("device \"" + mapping.hostPath() + "\": cannot read it on the host ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * Each {@code --device} node as a bind of the host's, read-only, for a container in a user
     * namespace, which may not mknod a device: the read-only mount refuses a chmod, chown or touch
     * of the host's node (EROFS) even where the map includes host root, while reads and writes go
     * to the device as before.
     */
    List<ContainerBind> binds() {
        return nodes.stream()
                .map(node -> new ContainerBind(
                        "the host's device " + node.mapping().hostPath(),
                        Path.of(node.mapping().hostPath()),
                        Path.of(node.mapping().containerPath()).normalize().toString(),
                        true))
                .toList();
    }

    /**
     * The child's steps that make each {@code --device} node in the container's own {@code /dev}
     * (run after the pivot, before capabilities are dropped), with the host node's type, number,
     * mode and owner, as Docker does; its parent directories are made first. A node of its own,
     * never a bind of the host's: the container's root may chmod or chown it, and the host's
     * stays as it is (issue 23).
     */
    List<Step> steps() {
        List<Step> steps = new ArrayList<>();
        for (Node node : nodes) {
            Path path = Path.of(node.mapping().containerPath()).normalize();
            for (Path dir = path.getParent();
                    dir != null
                            && !dir.toString().equals("/dev")
                            && !dir.toString().equals("/");
                    dir = dir.getParent()) {
                steps.add(0, Steps.mkdir(dir.toString(), 0755));
            }
            long dev = FileModes.device(node.major(), node.minor());
            Step mknod = Step.call(
                    "make the device node " + path + " (" + node.type() + " " + node.major() + ":" + node.minor() + ")",
                    LibcCall.MKNODAT,
                    Arg.word(SyscallSteps.AT_FDCWD),
                    Arg.text(path.toString()),
                    Arg.word(node.mode()),
                    Arg.word(dev));
            // a config may list a node every container has (/dev/null): it gets the mode and owner asked for
            steps.add(node.described() ? mknod.tolerating("EEXIST") : mknod);
            String whose = node.described() ? "the" : "the host node's";
            // mknod applies the umask the child inherited from the runtime (022 made a 0666 node 0644)
            steps.add(Step.call(
                    "give " + path + " " + whose + " mode 0" + Integer.toOctalString(node.mode() & PERMISSIONS),
                    LibcCall.CHMOD,
                    Arg.text(path.toString()),
                    Arg.word(node.mode() & PERMISSIONS)));
            steps.add(Step.call(
                    "give " + path + " " + whose + " owner " + node.uid() + ":" + node.gid(),
                    LibcCall.LCHOWN,
                    Arg.text(path.toString()),
                    Arg.word(node.uid()),
                    Arg.word(node.gid())));
        }
        return steps;
    }
}
