package io.isola.ns.net.cni;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where plugins are looked up, as the spec's {@code CNI_PATH}: a colon-separated list of
 * directories, searched in order for an executable file named after the plugin's {@code type}.
 */
public record PluginPath(List<Path> directories) {

    public static final String DEFAULT = "/usr/lib/cni:/opt/cni/bin";

    public PluginPath {
        directories = List.copyOf(directories);
    }

    public static PluginPath parse(String path) {
        List<Path> dirs = new ArrayList<>();
        for (String dir : (path == null || path.isBlank() ? DEFAULT : path).split(":")) {
            if (!dir.isBlank()) {
                dirs.add(Path.of(dir.trim()));
            }
        }
        return new PluginPath(dirs);
    }

    public Optional<Path> find(String type) {
        if (type.isEmpty() || type.contains("/") || type.equals(".") || type.equals("..")) {
            return Optional.empty();
        }
        for (Path dir : directories) {
            Path candidate = dir.resolve(type);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The executable of plugin {@code type}, or an error naming it and where it was looked for. */
    public Path require(String type, String where) throws CniException {
        return find(type)
                .orElseThrow(() -> new CniException(where + ": CNI plugin \"" + type + "\" not found in " + this
                        + " (install containernetworking-plugins, or set the CNI path)"));
    }

    /** The value of {@code CNI_PATH} handed to plugins (which run their IPAM plugin from it). */
    @Override
    public String toString() {
        return String.join(":", directories.stream().map(Path::toString).toList());
    }
}
