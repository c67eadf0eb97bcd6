package io.isola.ns.mount;

import io.isola.spi.Arg;
import io.isola.spi.LibcCall;
import io.isola.spi.Phase;
import io.isola.spi.Step;
import io.isola.spi.support.FileModes;
import io.isola.spi.support.SyscallSteps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device nodes of every container's /dev, made as runc makes them (issue 23). A bind of the
 * host's node shares its inode, so a container root with CAP_CHOWN and CAP_FOWNER (Docker's
 * default set) would chmod, chown or touch the host's /dev/null. So where the container has no
 * user namespace of its own the child makes its own nodes with mknod, with the host node's
 * number, in its /dev tmpfs: they belong to the container, which may change them at will. mknod
 * of a device takes CAP_MKNOD in the initial user namespace, which a container in a user
 * namespace (or a runtime that itself runs in one) lacks; there the host's nodes are bound, and
 * each bind is made read-only: the kernel refuses a chmod or chown where host root is not mapped,
 * but not a touch (a writer may set the times to now), nor anything where a map includes host
 * root. A read-only mount refuses every change to the inode (EROFS), yet reads and writes of a
 * device go to the device, not the file system, so the nodes still work.
 */
final class DeviceNodes {

    /** The only device nodes in the container's /dev. */
    static final List<String> NAMES = List.of("null", "zero", "full", "random", "urandom", "tty");

    private static final Logger LOG = LoggerFactory.getLogger(DeviceNodes.class);
    private static final int READ_WRITE_ALL = 0666;
    private static final long BOUND_NODE_ATTRIBUTES = SyscallSteps.MOUNT_ATTR_NOSUID | SyscallSteps.MOUNT_ATTR_NOEXEC;
    /** The identity map of the initial user namespace, as /proc/self/uid_map shows it. */
    private static final List<String> INITIAL_MAP = List.of("0", "0", "4294967295");

    private final boolean made;

    private DeviceNodes(boolean made) {
        this.made = made;
    }

    /** The nodes of a container with ({@code userNamespace}) or without a user namespace of its own. */
    static DeviceNodes forContainer(boolean userNamespace) {
        boolean made = !userNamespace && runtimeInInitialUserNamespace();
        LOG.debug("the container's device nodes are {}", made ? "its own (mknod)" : "the host's, bound");
        return new DeviceNodes(made);
    }

    /** Whether the nodes are the container's own (mknod), rather than the host's bound. */
    boolean made() {
        return made;
    }

    /** The FILESYSTEM steps that put {@code /dev/NAME} for each of {@link #NAMES} in the container's /dev. */
    void add(PlannedSteps steps, MountCalls calls) {
        for (String name : NAMES) {
            String path = "/dev/" + name;
            if (made) {
                long rdev = hostDevice(Path.of(path));
                steps.add(
                        Phase.FILESYSTEM,
                        Step.call(
                                "make the device node " + path + " (c " + FileModes.major(rdev) + ":"
                                        + FileModes.minor(rdev) + ")",
                                LibcCall.MKNOD,
                                Arg.text(calls.at(path)),
                                Arg.word(FileModes.S_IFCHR | READ_WRITE_ALL),
                                Arg.word(rdev)));
                // mknod applies the umask the child inherited from the runtime (022: 0644); the node must be 0666
                steps.add(
                        Phase.FILESYSTEM,
                        Step.call(
                                "make " + path + " readable and writable by all (0666)",
                                LibcCall.CHMOD,
                                Arg.text(calls.at(path)),
                                Arg.word(READ_WRITE_ALL)));
            } else {
                steps.add(Phase.FILESYSTEM, calls.touch(path));
                steps.add(Phase.FILESYSTEM, calls.bind("the host's " + path, path, path, false));
                steps.add(Phase.FILESYSTEM, calls.readOnly(path, false, BOUND_NODE_ATTRIBUTES));
            }
        }
    }

    /** The number (st_rdev) of the host's character device {@code node}, read without following a link. */
    private static long hostDevice(Path node) {
        try {
            int mode = (Integer) Files.getAttribute(node, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if (FileModes.type(mode) != FileModes.S_IFCHR) {
                throw new IllegalStateException("the host's " + node + " is not a character device (mode 0"
                        + Integer.toOctalString(mode) + "), so the container's cannot be made from it");
            }
            return (Long) Files.getAttribute(node, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the host's " + node + " to make the container's", e);
        }
    }

    /** Whether this runtime runs in the initial user namespace, where root may mknod a device. */
    private static boolean runtimeInInitialUserNamespace() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/self/uid_map"));
            return lines.size() == 1
                    && List.of(lines.get(0).trim().split("\\s+")).equals(INITIAL_MAP);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/uid_map", e);
        }
    }
}
