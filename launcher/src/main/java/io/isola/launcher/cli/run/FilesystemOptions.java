package io.isola.launcher.cli.run;

import io.isola.api.ContainerSpec;
import io.isola.api.Filesystem;
import io.isola.api.RootPropagation;
import io.isola.api.TmpfsMount;
import io.isola.api.Volume;
import io.isola.launcher.image.Image;
import io.isola.launcher.image.ImageSource;
import io.isola.launcher.image.ImageStore;
import io.isola.launcher.image.PullProgress;
import io.isola.launcher.image.SeedSource;
import io.isola.launcher.registry.Platform;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The container's view of files on the command line: {@code --rootfs}, {@code --read-only},
 * {@code -v}, {@code --mount} and {@code --tmpfs}, as Docker and runc users know them. A picocli mixin, so that
 * every verb that starts a container takes the same options.
 */
final class FilesystemOptions {

    @Option(
            names = "--rootfs",
            paramLabel = "DIR",
            description = "Directory to use as the container's / (default: the host's files, read-only).")
    String rootfs;

    @Option(
            names = "--image",
            paramLabel = "NAME",
            description =
                    "Imported image to use as / (the same as IMAGE before the command; every argument is then the command).")
    String image;

    @Option(
            names = "--pull",
            paramLabel = "missing|always|never",
            description = {
                "Pull the image from its registry when the store lacks it (missing, the default), every time",
                "(always), or never; with always, the first argument is an image whatever the store holds."
            })
    String pull;

    @Option(
            names = "--platform",
            paramLabel = "OS/ARCH[/VARIANT]",
            description = "The platform to pull a multi-platform image for (default: this machine's).")
    String platform;

    @Option(names = "--read-only", description = "Mount the root read-only; volumes and tmpfs mounts stay writable.")
    boolean readOnly;

    @Option(
            names = {"-v", "--volume"},
            paramLabel = "HOST:CTR[:ro]|NAME:CTR[:ro]|CTR",
            description = {
                "Bind a host file or directory (an absolute HOST), or mount volume NAME (made when missing),",
                "or an anonymous volume of the container's own (CTR alone); :ro makes it read-only, :nocopy",
                "leaves a new volume empty instead of copying the image's content at CTR into it; a bind also takes",
                "a propagation (:rshared, :ro,rslave; shared, slave, private, unbindable and their r forms), and a",
                "host bind's :idmap (as root, with a user namespace) shows host root's files as the container root's."
            })
    List<String> volumes = new ArrayList<>();

    @Option(
            names = "--mount",
            paramLabel = "type=bind|volume|tmpfs,...",
            description = {
                "Docker's mount syntax: type=bind,source=HOST,target=CTR[,readonly][,bind-nonrecursive],",
                "type=volume[,source=NAME],target=CTR[,readonly][,volume-nocopy] or",
                "type=tmpfs,target=CTR[,tmpfs-size=N[k|m|g]][,tmpfs-mode=OCTAL]; src, dst, destination and ro as in Docker.",
                "bind-propagation=shared|slave|private|unbindable or their r forms (rprivate is the default)."
            })
    List<String> mounts = new ArrayList<>();

    @Option(
            names = "--tmpfs",
            paramLabel = "PATH[:OPTS]",
            description = "Mount an empty tmpfs; OPTS: size=N[k|m|g], mode=OCTAL, noexec.")
    List<String> tmpfs = new ArrayList<>();

    /** The image (or none) and the command of a run, once the positional arguments are read. */
    record Choice(Image image, List<String> command) {

        /** The working directory when -w is not given: the image's, else /. */
        String workingDir() {
            return image == null
                            || image.workingDir() == null
                            || image.workingDir().isEmpty()
                    ? "/"
                    : image.workingDir();
        }
    }

    /**
     * Reads {@code positionals} by the rule {@code run --help} states: with {@code --image} or
     * {@code --rootfs}, or after {@code --}, every argument is the command; otherwise the first
     * is an image when the local store holds it or when it is written NAME:TAG, and the command
     * when not. With an image and no command, the image's Entrypoint and Cmd run, as in Docker;
     * {@code entrypoint} may replace the image's Entrypoint.
     */
    Choice choose(List<String> positionals, boolean afterSeparator, EntrypointOption entrypoint, PrintWriter progress) {
        List<String> args = positionals == null ? List.of() : positionals;
        ImageSource.Policy policy = pull == null ? ImageSource.Policy.MISSING : ImageSource.Policy.parse(pull);
        Image chosen = null;
        if (image != null) {
            if (rootfs != null) {
                throw new IllegalArgumentException(
                        "--image \"" + image + "\" and --rootfs \"" + rootfs + "\": expected one of them");
            }
            chosen = resolve(image, policy, progress);
        } else if (rootfs == null && !afterSeparator && !args.isEmpty() && namesImage(args.get(0), policy)) {
            chosen = resolve(args.get(0), policy, progress);
            args = args.subList(1, args.size());
        }
        if (chosen == null) {
            if (args.isEmpty() && !entrypoint.givesCommand()) {
                throw new IllegalArgumentException(
                        "expected an image or a command: 'isola run [OPTIONS] IMAGE [CMD...]'"
                                + " or 'isola run [OPTIONS] -- CMD...'");
            }
            return new Choice(null, entrypoint.command(null, args));
        }
        List<String> command = entrypoint.command(chosen, args);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("image \"" + chosen.name()
                    + "\": its config has no Entrypoint or Cmd; give the command after the image name");
        }
        return new Choice(chosen, command);
    }

    /** The image {@code name}, pulled as {@code policy} says, once: a run builds its spec more than once. */
    private Image resolve(String name, ImageSource.Policy policy, PrintWriter progress) {
        if (resolved == null || !resolved.getKey().equals(name)) {
            Image found = ImageSource.resolve(
                    ImageStore.fromEnvironment(),
                    name,
                    policy,
                    platform == null ? null : Platform.parse(platform),
                    progress == null ? PullProgress.QUIET : PullProgress.lines(progress));
            resolved = Map.entry(name, found);
        }
        return resolved.getValue();
    }

    private Map.Entry<String, Image> resolved;

    /**
     * The first positional argument when {@link #choose} read it as the command although it could
     * name an image (no image of that name is stored); else null.
     */
    String commandThatCouldBeAnImage(List<String> positionals, boolean afterSeparator) {
        if (image != null || rootfs != null || afterSeparator || positionals == null || positionals.isEmpty()) {
            return null;
        }
        String first = positionals.get(0);
        return ImageStore.isName(first) && !namesImage(first, ImageSource.Policy.MISSING) ? first : null;
    }

    /** Whether the first positional argument is taken for an image (see {@link #choose}). */
    private static boolean namesImage(String arg, ImageSource.Policy policy) {
        if (!ImageStore.isName(arg)) {
            return false; // "/bin/sh", "sh -c", "A=1": not an image name, so a command
        }
        if (ImageStore.hasTag(arg) || policy == ImageSource.Policy.ALWAYS) {
            return true; // written NAME:TAG, or --pull always: an image, from the store or its registry
        }
        try {
            return ImageSource.stored(ImageStore.fromEnvironment(), arg).isPresent();
        } catch (UncheckedIOException e) {
            return false; // a store this user cannot read holds no image for them
        }
    }

    /** The settings as a spec extension, checked; nothing when every option is left at its default. Volumes of the store are left out. */
    Filesystem filesystem() {
        return filesystem(new ArrayList<>());
    }

    /** As {@link #filesystem()}, adding the store's volumes the options ask for to {@code requests}. */
    private Filesystem filesystem(List<VolumeRequest> requests) {
        Filesystem.Builder builder = Filesystem.builder().rootfs(rootfs).readOnly(readOnly);
        for (String volume : volumes) {
            VolumeRequest request = VolumeRequest.parseFlag(volume);
            if (request == null) {
                bind(builder, volume);
            } else {
                requests.add(request);
            }
        }
        tmpfs.forEach(mount -> builder.tmpfs(TmpfsMount.parse(mount)));
        mounts.forEach(mount -> DockerMount.addTo(builder, requests, mount));
        return builder.build();
    }

    /** {@code HOST:CTR[:OPTS]}, OPTS being ro or rw and a propagation such as rshared, comma-separated as Docker's. */
    private static void bind(Filesystem.Builder builder, String value) {
        String[] parts = value.split(":", -1);
        String propagation = null;
        String plain = value;
        if (parts.length == 3) {
            List<String> rest = new ArrayList<>();
            for (String option : parts[2].split(",", -1)) {
                if (RootPropagation.modes().contains(option)) {
                    propagation = option;
                } else {
                    rest.add(option);
                }
            }
            plain = parts[0] + ":" + parts[1] + (rest.isEmpty() ? "" : ":" + String.join(",", rest));
        }
        Volume volume = Volume.parse(plain);
        builder.volume(volume);
        if (propagation != null) {
            builder.propagation(volume.target(), propagation);
        }
    }

    /**
     * Adds the settings to {@code spec}; they need the container's own mount namespace. An image
     * is mounted with a writable layer named after {@code containerId}, kept after the container
     * while {@code keepWhile} exists (its state, without --rm), and its variables come first. Returns the settings, null for none.
     */
    Filesystem applyTo(
            ContainerSpec.Builder spec,
            boolean mountNamespace,
            Choice choice,
            String containerId,
            String keepWhile,
            boolean makeVolumes,
            VolumeOwners owners) {
        List<VolumeRequest> requests = new ArrayList<>();
        Filesystem filesystem = filesystem(requests);
        Image found = choice.image();
        List<String> layers = new ArrayList<>();
        if (found != null) {
            ImageStore store = ImageStore.fromEnvironment();
            found.layers()
                    .forEach(layer -> layers.add(0, store.layer(layer).toString())); // overlayfs wants the top first
            filesystem = filesystem.toBuilder()
                    .layers(layers, store.containerLayer(containerId).toString())
                    .keepWritableLayerWhile(keepWhile)
                    .image(found.name())
                    .build();
            requests.addAll(ContainerVolumes.ofImage(store.volumes(found), filesystem, requests));
            for (String variable : found.env()) {
                int eq = variable.indexOf('=');
                if (eq > 0) {
                    spec.env(variable.substring(0, eq), variable.substring(eq + 1));
                }
            }
        }
        if (!requests.isEmpty()) {
            SeedSource seed = found != null
                    ? SeedSource.layers(layers.stream().map(Path::of).toList())
                    : rootfs != null ? SeedSource.directory(Path.of(rootfs)) : SeedSource.NONE;
            filesystem = ContainerVolumes.bind(filesystem, requests, containerId, seed, makeVolumes, owners);
        }
        if (filesystem.isDefault()) {
            return null;
        }
        if (!mountNamespace) {
            // without one, the mounts would be made in the host's namespace
            throw new IllegalArgumentException(
                    "--rootfs, --read-only, -v, --mount and --tmpfs need a mount namespace; drop --no-mount");
        }
        spec.with(filesystem);
        return filesystem;
    }
}
