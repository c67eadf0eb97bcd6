package io.isola.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Device access of a container beyond the default allow-list, a {@link ContainerSpec} extension
 * ({@code builder.with(devices)}): host devices made available inside ({@code --device}), and
 * device cgroup rules ({@code --device-cgroup-rule}, OCI's {@code linux.resources.devices}), added
 * after the defaults in order. Without it a container may use only runc's default devices (null,
 * zero, full, random, urandom, tty, console, ptmx, pts and tun) and create, but not open, others;
 * a privileged container may use every device.
 */
public final class Devices {

    private static final Pattern RULE = Pattern.compile("([acb]) (\\d+|\\*):(\\d+|\\*) ([rwm]{1,3})");
    private static final Pattern ACCESS = Pattern.compile("[rwm]{1,3}");

    /**
     * One device cgroup rule, as {@code devices.allow} takes it ({@code c 1:3 rwm}).
     *
     * @param type {@code a} (all), {@code c} (character) or {@code b} (block)
     * @param major the major number, or {@link #ANY}
     * @param minor the minor number, or {@link #ANY}
     * @param access some of {@code r} (read), {@code w} (write) and {@code m} (mknod)
     */
    public record Rule(boolean allow, char type, long major, long minor, String access) {
        public static final long ANY = -1;

        public Rule {
            if (type != 'a' && type != 'c' && type != 'b') {
                throw new IllegalArgumentException("device type '" + type + "': expected a, c or b");
            }
            if (major < ANY || minor < ANY) {
                throw new IllegalArgumentException("device number " + major + ":" + minor + ": expected numbers or *");
            }
            if (access == null || !ACCESS.matcher(access).matches()) {
                throw new IllegalArgumentException("device access \"" + access + "\": expected some of r, w and m");
            }
        }

        /** Parses Docker's {@code --device-cgroup-rule} format, {@code "c 1:3 rwm"} or {@code "b 7:* rw"}. */
        public static Rule parse(String text) {
            Matcher m = RULE.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new IllegalArgumentException(
                        "device cgroup rule \"" + text
                                + "\": expected TYPE MAJOR:MINOR ACCESS, such as \"c 1:3 rwm\" (type a, c or b; * for any number)");
            }
            return new Rule(true, m.group(1).charAt(0), number(m.group(2)), number(m.group(3)), m.group(4));
        }

        private static long number(String text) {
            return text.equals("*") ? ANY : Long.parseLong(text);
        }

        /** As devices.allow and devices.deny take it. */
        public String line() {
            return type + " " + (major == ANY ? "*" : Long.toString(major)) + ":"
                    + (minor == ANY ? "*" : Long.toString(minor)) + " " + access;
        }
    }

    /**
     * A host device made available inside ({@code --device HOST[:CONTAINER][:ACCESS]}).
     *
     * @param hostPath the device node on the host, such as {@code /dev/loop0}
     * @param containerPath where it appears inside, under {@code /dev}
     * @param access some of r, w and m
     */
    public record Mapping(String hostPath, String containerPath, String access) {
        public Mapping {
            if (hostPath == null || !hostPath.startsWith("/dev/")) {
                throw new IllegalArgumentException("device \"" + hostPath + "\": expected a host device under /dev/");
            }
            if (containerPath == null
                    || !containerPath.startsWith("/dev/")
                    || containerPath.contains("/../")
                    || containerPath.endsWith("/..")) {
                throw new IllegalArgumentException(
                        "device path \"" + containerPath + "\": expected a path under /dev/");
            }
            if (access == null || !ACCESS.matcher(access).matches()) {
                throw new IllegalArgumentException("device access \"" + access + "\": expected some of r, w and m");
            }
        }

        /** Parses Docker's {@code --device} value: {@code HOST[:CONTAINER][:ACCESS]}. */
        public static Mapping parse(String text) {
            String[] parts = text == null ? new String[0] : text.split(":", -1);
            if (parts.length == 0 || parts.length > 3 || parts[0].isEmpty()) {
                throw new IllegalArgumentException("device \"" + text
                        + "\": expected HOST[:CONTAINER][:ACCESS], such as /dev/loop0:/dev/loop0:rw");
            }
            String host = parts[0];
            String container = host;
            String access = "rwm";
            if (parts.length == 2) {
                if (ACCESS.matcher(parts[1]).matches()) {
                    access = parts[1];
                } else {
                    container = parts[1];
                }
            } else if (parts.length == 3) {
                container = parts[1];
                access = parts[2];
            }
            return new Mapping(host, container, access);
        }
    }

    /**
     * A device node made in the container's {@code /dev} from its description alone, not from a
     * host node (OCI's {@code linux.devices}); the container may use it (a cgroup rule allows it).
     *
     * @param path where it is made, under {@code /dev}
     * @param type {@code c} (character; {@code u}, unbuffered, is the same), {@code b} (block) or
     *     {@code p} (FIFO, which has no number)
     * @param fileMode its permission bits, 0 to 07777
     * @param uid its owner, as the container sees ids
     * @param gid its group, as the container sees ids
     */
    public record Node(String path, char type, long major, long minor, int fileMode, long uid, long gid) {
        public Node {
            if (path == null || !path.startsWith("/dev/") || path.contains("/../") || path.endsWith("/..")) {
                throw new IllegalArgumentException("device path \"" + path + "\": expected a path under /dev/");
            }
            if (type != 'c' && type != 'u' && type != 'b' && type != 'p') {
                throw new IllegalArgumentException(
                        "device \"" + path + "\" type '" + type + "': expected c, u, b or p");
            }
            if (type != 'p' && (major < 0 || minor < 0 || major > 0xfffff || minor > 0xfffffL)) {
                throw new IllegalArgumentException("device \"" + path + "\" number " + major + ":" + minor
                        + ": expected a major from 0 to 1048575 and a minor from 0 to 1048575");
            }
            if (fileMode < 0 || fileMode > 07777) {
                throw new IllegalArgumentException("device \"" + path + "\" mode 0" + Integer.toOctalString(fileMode)
                        + ": expected permission bits from 0 to 07777");
            }
            if (uid < 0 || uid >= IdMapping.ID_LIMIT || gid < 0 || gid >= IdMapping.ID_LIMIT) {
                throw new IllegalArgumentException("device \"" + path + "\" owner " + uid + ":" + gid
                        + ": expected ids from 0 to " + (IdMapping.ID_LIMIT - 1));
            }
        }
    }

    private final List<Mapping> mappings;
    private final List<Rule> rules;
    private final List<Node> nodes;

    private Devices(List<Mapping> mappings, List<Rule> rules, List<Node> nodes) {
        this.mappings = List.copyOf(mappings);
        this.rules = List.copyOf(rules);
        this.nodes = List.copyOf(nodes);
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<Mapping> mappings() {
        return mappings;
    }

    public List<Rule> rules() {
        return rules;
    }

    /** The nodes made from their description ({@link Node}), in order. */
    public List<Node> nodes() {
        return nodes;
    }

    public boolean isEmpty() {
        return mappings.isEmpty() && rules.isEmpty() && nodes.isEmpty();
    }

    @Override
    public String toString() {
        return "Devices[mappings=" + mappings + ", rules="
                + rules.stream().map(Rule::line).toList() + ", nodes=" + nodes + "]";
    }

    public static final class Builder {
        private final List<Mapping> mappings = new ArrayList<>();
        private final List<Rule> rules = new ArrayList<>();
        private final List<Node> nodes = new ArrayList<>();

        private Builder() {}

        public Builder node(Node node) {
            nodes.add(node);
            return this;
        }

        public Builder device(Mapping mapping) {
            mappings.add(mapping);
            return this;
        }

        /** {@code --device}'s syntax. */
        public Builder device(String spec) {
            return device(Mapping.parse(spec));
        }

        public Builder rule(Rule rule) {
            rules.add(rule);
            return this;
        }

        /** {@code --device-cgroup-rule}'s syntax. */
        public Builder rule(String rule) {
            return rule(Rule.parse(rule));
        }

        public Devices build() {
            return new Devices(mappings, rules, nodes);
        }
    }
}
