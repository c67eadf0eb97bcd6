package io.isola.launcher.cli.run;

import io.isola.api.Filesystem;
import io.isola.api.RootPropagation;
import io.isola.api.TmpfsMount;
import io.isola.api.Volume;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One {@code --mount} value in Docker's syntax: comma-separated KEY=VALUE fields, as {@code
 * type=bind,src=/srv,dst=/data,ro}. A bind becomes a {@link Volume}, a tmpfs a {@link TmpfsMount},
 * a volume (also without {@code type}, as Docker reads it) a {@link VolumeRequest}, anonymous
 * without a source.
 */
final class DockerMount {

    private static final String KNOWN_KEYS =
            "type, source, target, readonly, bind-nonrecursive, bind-propagation, volume-nocopy, tmpfs-size or tmpfs-mode";

    private final String value;
    private final Map<String, String> fields = new LinkedHashMap<>();

    private DockerMount(String value) {
        this.value = value;
    }

    /** Adds the mount {@code value} describes to {@code filesystem}; throws naming the value when isola cannot make it. */
    static void addTo(Filesystem.Builder filesystem, List<VolumeRequest> volumes, String value) {
        DockerMount mount = new DockerMount(value);
        try {
            mount.read();
            mount.add(filesystem, volumes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--mount \"" + value + "\": " + e.getMessage(), e);
        }
    }

    private void read() {
        for (String field : value.split(",", -1)) {
            int eq = field.indexOf('=');
            String key = (eq < 0 ? field : field.substring(0, eq)).trim();
            // a key alone is a true flag, as "ro" in Docker's
            String val = eq < 0 ? "true" : field.substring(eq + 1);
            String canonical = switch (key) {
                case "type", "target", "readonly", "bind-nonrecursive", "tmpfs-size", "tmpfs-mode", "volume-nocopy" ->
                    key;
                // the local driver is the one isola has, as Docker's default
                case "volume-driver" -> {
                    if (!val.equals("local")) {
                        throw new IllegalArgumentException(
                                "volume-driver \"" + val + "\" is not supported by isola; expected local");
                    }
                    yield null;
                }
                case "source", "src" -> "source";
                case "dst", "destination" -> "target";
                case "ro" -> "readonly";
                case "bind-propagation" -> {
                    if (!RootPropagation.modes().contains(val)) {
                        throw new IllegalArgumentException("bind-propagation \"" + val + "\": expected one of "
                                + new TreeSet<>(RootPropagation.modes()));
                    }
                    yield key;
                }
                // macOS only; Docker ignores it on Linux
                case "consistency" -> null;
                default ->
                    throw new IllegalArgumentException(
                            key.startsWith("volume-")
                                    ? key
                                            + " is not supported by isola (its volumes are local directories without options)"
                                    : "key \"" + key + "\" is not known, expected " + KNOWN_KEYS);
            };
            if (canonical != null) {
                fields.put(canonical, val);
            }
        }
    }

    private void add(Filesystem.Builder filesystem, List<VolumeRequest> volumes) {
        String type = fields.getOrDefault("type", "volume");
        if (!type.equals("volume")) {
            requireNone("volume-nocopy");
        }
        switch (type) {
            case "bind" -> {
                Volume bind = bind();
                filesystem.volume(bind);
                if (fields.containsKey("bind-propagation")) {
                    filesystem.propagation(bind.target(), fields.get("bind-propagation"));
                }
            }
            case "tmpfs" -> filesystem.tmpfs(tmpfs());
            case "volume" -> volumes.add(volume());
            default ->
                throw new IllegalArgumentException(
                        "type \"" + type + "\" is not known, expected bind, volume or tmpfs");
        }
    }

    private VolumeRequest volume() {
        requireNone("bind-nonrecursive", "bind-propagation", "tmpfs-size", "tmpfs-mode");
        String source = fields.get("source");
        if (source != null && source.startsWith("/")) {
            throw new IllegalArgumentException(
                    "source \"" + source + "\": a volume's source is its name; use type=bind for a host path");
        }
        return new VolumeRequest(
                source == null || source.isEmpty() ? null : source, target(), flag("readonly"), !flag("volume-nocopy"));
    }

    private Volume bind() {
        requireNone("tmpfs-size", "tmpfs-mode");
        String source = fields.get("source");
        if (source == null) {
            throw new IllegalArgumentException("expected source=HOSTPATH (or src=)");
        }
        Set<Volume.Option> options = flag("bind-nonrecursive") ? EnumSet.of(Volume.Option.NONRECURSIVE) : Set.of();
        return new Volume(source, target(), flag("readonly"), options);
    }

    private TmpfsMount tmpfs() {
        requireNone("source", "bind-nonrecursive", "bind-propagation");
        if (flag("readonly")) {
            throw new IllegalArgumentException("a read-only tmpfs is not supported by isola");
        }
        TmpfsMount defaults = TmpfsMount.at(target());
        long size = defaults.sizeBytes();
        String bytes = fields.get("tmpfs-size");
        if (bytes != null) {
            if (!bytes.toLowerCase(Locale.ROOT).matches("[0-9]{1,15}[kmg]?")) {
                throw new IllegalArgumentException(
                        "tmpfs-size \"" + bytes + "\": expected a number of bytes with an optional k, m or g");
            }
            // TmpfsMount's own reading of a size, so that 64m means what --tmpfs /x:size=64m does
            size = TmpfsMount.parse(defaults.target() + ":size=" + bytes.toLowerCase(Locale.ROOT))
                    .sizeBytes();
        }
        int mode = defaults.mode();
        String octal = fields.get("tmpfs-mode");
        if (octal != null) {
            if (!octal.matches("[0-7]{1,4}")) {
                throw new IllegalArgumentException(
                        "tmpfs-mode \"" + octal + "\": expected an octal number such as 1777");
            }
            mode = Integer.parseInt(octal, 8);
        }
        return new TmpfsMount(defaults.target(), size, mode, false);
    }

    private String target() {
        String target = fields.get("target");
        if (target == null) {
            throw new IllegalArgumentException("expected target=PATH (or dst=, destination=)");
        }
        return target;
    }

    private boolean flag(String key) {
        String flag = fields.get(key);
        if (flag == null) {
            return false;
        }
        return switch (flag) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw new IllegalArgumentException(key + " \"" + flag + "\": expected true or false");
        };
    }

    private void requireNone(String... keys) {
        for (String key : keys) {
            if (fields.containsKey(key)) {
                throw new IllegalArgumentException(
                        key + " does not go with type=" + fields.getOrDefault("type", "volume"));
            }
        }
    }
}
