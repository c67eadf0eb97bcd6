package io.isola.launcher.image;

import java.util.ArrayList;
import java.util.List;

/**
 * One image in the store: its name, its id (the digest of its config), its layers by the digest of
 * their uncompressed content (bottom first, as manifests list them) and what its config says to run:
 * {@code Entrypoint}, {@code Cmd}, {@code Env}, {@code WorkingDir}, {@code User}. (Records written
 * before the entrypoint was kept apart hold Entrypoint + Cmd in {@code cmd}.)
 */
public record Image(
        String name,
        String id,
        List<String> layers,
        List<String> env,
        List<String> cmd,
        String workingDir,
        long size,
        String imported,
        List<String> entrypoint,
        String user) {

    public Image {
        layers = List.copyOf(layers);
        env = env == null ? List.of() : List.copyOf(env);
        cmd = cmd == null ? List.of() : List.copyOf(cmd);
        entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
    }

    /**
     * What a container of this image runs, as Docker decides it: the entrypoint followed by
     * {@code args}, or by the image's Cmd when {@code args} is empty.
     */
    public List<String> command(List<String> args) {
        List<String> command = new ArrayList<>(entrypoint);
        command.addAll(args.isEmpty() ? cmd : args);
        return command;
    }

    /** This image under another name. */
    public Image named(String other) {
        return new Image(other, id, layers, env, cmd, workingDir, size, imported, entrypoint, user);
    }

    /** The id as {@code docker images} shows it: 12 hex digits. */
    public String shortId() {
        String hex = id.substring(id.indexOf(':') + 1);
        return hex.substring(0, Math.min(12, hex.length()));
    }
}
