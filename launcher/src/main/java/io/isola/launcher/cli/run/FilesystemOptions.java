package io.isola.launcher.cli.run;

import io.isola.api.ContainerSpec;
import io.isola.api.Filesystem;
import io.isola.api.TmpfsMount;
import io.isola.api.Volume;
import io.isola.launcher.image.Image;
import io.isola.launcher.image.ImageStore;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The container's view of files on the command line: {@code --rootfs}, {@code --read-only},
 * {@code -v} and {@code --tmpfs}, as Docker and runc users know them. A picocli mixin, so that
 * every verb that starts a container takes the same options.
 */
final class FilesystemOptions {

    @Option(names = "--rootfs", paramLabel = "DIR",
            description = "Directory to use as the container's / (default: the host's files, read-only).")
    String rootfs;

    @Option(names = "--image", paramLabel = "NAME",
            description = "Imported image to use as / (overlayfs; the container's writes are discarded at exit).")
    String image;

    @Option(names = "--read-only", description = "Mount the root read-only; volumes and tmpfs mounts stay writable.")
    boolean readOnly;

    @Option(names = {"-v", "--volume"}, paramLabel = "HOST:CTR[:ro]",
            description = "Bind a host file or directory into the container; :ro makes it read-only.")
    List<String> volumes = new ArrayList<>();

    @Option(names = "--tmpfs", paramLabel = "PATH[:OPTS]",
            description = "Mount an empty tmpfs; OPTS: size=N[k|m|g], mode=OCTAL, noexec.")
    List<String> tmpfs = new ArrayList<>();

    private static byte[] randomBytes() {
        byte[] bytes = new byte[8];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }

    /** The settings as a spec extension, checked; nothing when every option is left at its default. */
    Filesystem filesystem() {
        Filesystem.Builder builder = Filesystem.builder().rootfs(rootfs).readOnly(readOnly);
        volumes.forEach(volume -> builder.volume(Volume.parse(volume)));
        tmpfs.forEach(mount -> builder.tmpfs(TmpfsMount.parse(mount)));
        return builder.build();
    }

    /** Adds the settings to {@code spec}; they need the container's own mount namespace. Returns them, null for none. */
    Filesystem applyTo(ContainerSpec.Builder spec, boolean mountNamespace) {
        Filesystem filesystem = filesystem();
        if (image != null) {
            if (rootfs != null) {
                throw new IllegalArgumentException("--image \"" + image + "\" and --rootfs \"" + rootfs + "\": expected one of them");
            }
            ImageStore store = ImageStore.fromEnvironment();
            Image found = store.get(image);
            List<String> layers = new ArrayList<>();
            found.layers().forEach(layer -> layers.add(0, store.layer(layer).toString())); // overlayfs wants the top first
            String id = HexFormat.of().formatHex(randomBytes()); // the writable layer's directory, which the mount isolator removes
            filesystem = filesystem.toBuilder().layers(layers, store.containerLayer(id).toString()).build();
            for (String variable : found.env()) {
                int eq = variable.indexOf('=');
                if (eq > 0) {
                    spec.env(variable.substring(0, eq), variable.substring(eq + 1));
                }
            }
        }
        if (filesystem.isDefault()) {
            return null;
        }
        if (!mountNamespace) {
            // without one, the mounts would be made in the host's namespace
            throw new IllegalArgumentException("--rootfs, --read-only, -v and --tmpfs need a mount namespace; drop --no-mount");
        }
        spec.with(filesystem);
        return filesystem;
    }
}
