package io.isola.oci;

import com.fasterxml.jackson.databind.JsonNode;
import io.isola.api.Filesystem;
import io.isola.api.RootPropagation;
import io.isola.api.TmpfsMount;
import io.isola.api.Volume;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code mounts}: the kernel file systems the mount isolator provides itself are accepted when
 * their options ask for nothing it does not do; bind mounts become {@link Volume}s with their
 * flags; other tmpfs mounts become {@link TmpfsMount}s; anything else is refused by its index.
 */
final class MountsSection {

    /** The kernel file systems the mount isolator mounts in every container root, by destination and type. */
    static final Map<String, Set<String>> PROVIDED = Map.of(
            "/proc",
            Set.of("proc"),
            "/dev",
            Set.of("tmpfs"),
            "/dev/pts",
            Set.of("devpts"),
            "/dev/shm",
            Set.of("tmpfs"),
            "/dev/mqueue",
            Set.of("mqueue"),
            "/sys",
            Set.of("sysfs"),
            "/sys/fs/cgroup",
            Set.of("cgroup", "cgroup2"));

    /**
     * Options of a provided mount that isola's own mount satisfies: its flags (isola's are at least
     * as strict), atime behaviour and the data isola passes itself. A read-only /sys and
     * /sys/fs/cgroup are what isola mounts; "ro" on the others is not.
     */
    private static final Set<String> PROVIDED_OPTIONS = Set.of(
            "nosuid",
            "noexec",
            "nodev",
            "rw",
            "rprivate",
            "private",
            "strictatime",
            "relatime",
            "noatime",
            "newinstance",
            "ptmxmode=0666",
            "mode=0620",
            "mode=620",
            "gid=5",
            "mode=755",
            "mode=0755",
            "mode=1777",
            "mode=01777",
            "size=65536k");

    private static final Set<String> READ_ONLY_PROVIDED = Set.of("/sys", "/sys/fs/cgroup");

    /** Options that ask for nothing: the defaults, atime. */
    private static final Set<String> NEUTRAL =
            Set.of("rw", "suid", "dev", "exec", "relatime", "strictatime", "noatime", "nodiratime");

    /** Propagation options, set on the mount once it is made, as runc sets them. */
    private static final Set<String> PROPAGATION = RootPropagation.modes();

    private MountsSection() {}

    /** Every option name a mount of config.json may carry (the OCI features verb lists them); values such as size= aside. */
    static SortedSet<String> optionNames() {
        SortedSet<String> names = new TreeSet<>(NEUTRAL);
        names.addAll(PROPAGATION);
        names.addAll(List.of("bind", "rbind", "ro", "nosuid", "nodev", "noexec", "tmpcopyup"));
        return names;
    }

    /** Adds the mounts; {@code rootfs} (the container's root on the host, or null) decides podman's tmpcopyup. */
    static void read(ConfigFields fields, Path bundle, Filesystem.Builder filesystem, Path rootfs) {
        JsonNode mounts = fields.take("mounts");
        if (mounts == null) {
            return;
        }
        int index = 0;
        for (JsonNode mount : mounts) {
            String field = "mounts[" + index++ + "]";
            String destination = mount.path("destination").asText("");
            if (!destination.startsWith("/")) {
                throw ConfigFields.refuse(field + ".destination", "\"" + destination + "\": expected an absolute path");
            }
            destination = Path.of(destination).normalize().toString();
            String type = mount.path("type").asText("");
            List<String> options = strings(mount.get("options"));
            boolean bind = type.equals("bind") || options.contains("bind") || options.contains("rbind");
            if (!bind && PROVIDED.getOrDefault(destination, Set.of()).contains(type)) {
                provided(field, destination, options);
            } else if (bind && HostSys.is(bundle, mount, destination)) {
                HostSys.require(field, options);
            } else if (bind) {
                Path source = bundle.resolve(mount.path("source").asText("")).normalize();
                filesystem.volume(volume(field, source, destination, options));
                propagation(field, filesystem, destination, options);
            } else if (type.equals("tmpfs")) {
                if (options.contains("tmpcopyup")) {
                    requireNothingToCopy(field, rootfs, destination);
                }
                filesystem.tmpfs(tmpfs(field, destination, options));
                propagation(field, filesystem, destination, options);
            } else {
                throw ConfigFields.refuse(
                        field,
                        "\"" + destination + "\" (" + (type.isEmpty() ? "no type" : type)
                                + "): expected a bind mount, a tmpfs, or one of the kernel file systems isola mounts itself "
                                + new TreeMap<>(PROVIDED));
            }
        }
    }

    private static void provided(String field, String destination, List<String> options) {
        for (String option : options) {
            boolean readOnlyOk = option.equals("ro") && READ_ONLY_PROVIDED.contains(destination);
            if (!readOnlyOk && !PROVIDED_OPTIONS.contains(option)) {
                throw ConfigFields.refuse(
                        field + ".options",
                        "\"" + option + "\" on " + destination
                                + ": isola mounts this file system itself and does not do that; expected only "
                                + PROVIDED_OPTIONS);
            }
        }
        if (destination.equals("/sys/fs/cgroup") && !options.contains("ro")) {
            throw ConfigFields.refuse(
                    field + ".options",
                    "/sys/fs/cgroup: a writable cgroup file system is not supported;" + " expected \"ro\"");
        }
    }

    /** The last propagation option wins, as in runc, which applies them in order. */
    private static void propagation(
            String field, Filesystem.Builder filesystem, String destination, List<String> options) {
        options.stream()
                .filter(PROPAGATION::contains)
                .reduce((first, second) -> second)
                .ifPresent(mode -> filesystem.propagation(destination, mode));
    }

    private static Volume volume(String field, Path source, String destination, List<String> options) {
        Set<Volume.Option> flags = EnumSet.noneOf(Volume.Option.class);
        boolean readOnly = false;
        boolean recursive = false;
        for (String option : options) {
            switch (option) {
                case "bind" -> {}
                case "rbind" -> recursive = true;
                case "ro" -> readOnly = true;
                case "nosuid" -> flags.add(Volume.Option.NOSUID);
                case "nodev" -> flags.add(Volume.Option.NODEV);
                case "noexec" -> flags.add(Volume.Option.NOEXEC);
                default -> {
                    if (!NEUTRAL.contains(option) && !PROPAGATION.contains(option)) {
                        throw ConfigFields.refuse(
                                field + ".options",
                                "\"" + option + "\" is not supported for bind mounts;"
                                        + " expected bind, rbind, ro, rw, nosuid, nodev, noexec or a propagation "
                                        + PROPAGATION);
                    }
                }
            }
        }
        if (!recursive) {
            flags.add(Volume.Option.NONRECURSIVE);
        }
        if (!Files.exists(source)) {
            throw ConfigFields.refuse(field + ".source", "\"" + source + "\": no such file or directory on the host");
        }
        try {
            return new Volume(source.toString(), destination, readOnly, flags);
        } catch (IllegalArgumentException e) {
            throw ConfigFields.refuse(field, e.getMessage());
        }
    }

    private static TmpfsMount tmpfs(String field, String destination, List<String> options) {
        long size = 0;
        int mode = 01777;
        boolean noexec = false;
        for (String option : options) {
            if (option.startsWith("size=")) {
                size = TmpfsMount.parse(destination + ":" + option).sizeBytes();
            } else if (option.startsWith("mode=")) {
                try {
                    mode = Integer.parseInt(option.substring(5), 8);
                } catch (NumberFormatException e) {
                    throw ConfigFields.refuse(
                            field + ".options", "\"" + option + "\": expected an octal mode such as 1777");
                }
            } else if (option.equals("noexec")) {
                noexec = true;
            } else if (!option.equals("nosuid")
                    && !option.equals("nodev")
                    && !option.equals("exec")
                    && !option.equals("tmpcopyup")
                    && !NEUTRAL.contains(option)
                    && !PROPAGATION.contains(option)) {
                // nosuid and nodev: isola's tmpfs mounts always have them
                throw ConfigFields.refuse(
                        field + ".options",
                        "\"" + option + "\" is not supported for tmpfs; expected"
                                + " size=, mode=, nosuid, nodev, noexec, exec, an atime option or a propagation "
                                + PROPAGATION);
            }
        }
        try {
            return new TmpfsMount(destination, size, mode, noexec);
        } catch (IllegalArgumentException e) {
            throw ConfigFields.refuse(field, e.getMessage());
        }
    }

    /**
     * podman's {@code tmpcopyup} asks for the image's files at the destination to be copied into
     * the new tmpfs. isola does not copy; where the image has nothing there (the usual /tmp, /run)
     * there is nothing to copy and the option asks for nothing.
     */
    private static void requireNothingToCopy(String field, Path rootfs, String destination) {
        if (rootfs == null) {
            return;
        }
        Path inImage = rootfs.resolve(destination.substring(1)).normalize();
        if (!inImage.startsWith(rootfs) || !Files.isDirectory(inImage, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var entries = Files.list(inImage)) {
            if (entries.findAny().isPresent()) {
                throw ConfigFields.refuse(
                        field + ".options",
                        "\"tmpcopyup\": the image has files in " + destination
                                + ", which isola does not copy into the tmpfs; expected an empty or missing directory there");
            }
        } catch (IOException e) {
            throw ConfigFields.refuse(
                    field + ".options", "\"tmpcopyup\": cannot read " + inImage + " (" + e.getMessage() + ")");
        }
    }

    private static List<String> strings(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node != null) {
            node.forEach(item -> values.add(item.asText()));
        }
        return values;
    }
}
