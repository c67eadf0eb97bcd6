package io.isola.oci;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A bind of the host's {@code /sys} onto {@code /sys}, as {@code runc spec --rootless} writes it
 * in place of sysfs (a user namespace may not mount a sysfs for the host's network namespace).
 * That is the mount isola makes itself at /sys for a container without a network namespace of
 * its own: the host's /sys, recursively, read-only, without set-uid files, devices or programs.
 * With a network namespace of its own a container gets a fresh read-only sysfs instead, which
 * shows its own network devices rather than the host's (where runc binds the host's).
 *
 * <p>It is no volume: a volume's target may not be in or on a kernel file system, which is what
 * keeps binds off /proc and out of /sys (runc's checks against mounts over /proc,
 * CVE-2019-19921 and CVE-2023-27561). Any other source at /sys stays refused that way.
 */
final class HostSys {

    /** What isola's own /sys is; propagation aside, the options that ask for nothing more. */
    private static final Set<String> SATISFIED =
            Set.of("bind", "rbind", "ro", "nosuid", "nodev", "noexec", "rprivate", "private", "relatime", "noatime");

    private HostSys() {}

    /** Whether {@code mount} (a bind to {@code destination}, normalised) binds the host's /sys onto /sys. */
    static boolean is(Path bundle, JsonNode mount, String destination) {
        return destination.equals("/sys")
                && bundle.resolve(mount.path("source").asText("")).normalize().equals(Path.of("/sys"));
    }

    /** Refuses, naming the option, what isola's own read-only /sys does not give. */
    static void require(String field, List<String> options) {
        if (!options.contains("ro")) {
            throw ConfigFields.refuse(
                    field + ".options",
                    "a bind of the host's /sys: isola's /sys is read-only; expected \"ro\" among " + options);
        }
        for (String option : options) {
            if (!SATISFIED.contains(option)) {
                throw ConfigFields.refuse(
                        field + ".options",
                        "\"" + option + "\" on a bind of the host's /sys: isola binds it itself, read-only, and does"
                                + " not do that; expected only " + new TreeSet<>(SATISFIED));
            }
        }
    }
}
