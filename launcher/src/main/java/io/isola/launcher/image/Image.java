package io.isola.launcher.image;

import java.util.List;

/**
 * One image in the store: its name, its id (the digest of its config), its layers by the digest of
 * their uncompressed content (bottom first, as manifests list them) and what its config says to run.
 */
public record Image(String name, String id, List<String> layers, List<String> env, List<String> cmd,
        String workingDir, long size, String imported) {

    public Image {
        layers = List.copyOf(layers);
        env = env == null ? List.of() : List.copyOf(env);
        cmd = cmd == null ? List.of() : List.copyOf(cmd);
    }

    /** The id as {@code docker images} shows it: 12 hex digits. */
    public String shortId() {
        String hex = id.substring(id.indexOf(':') + 1);
        return hex.substring(0, Math.min(12, hex.length()));
    }
}
