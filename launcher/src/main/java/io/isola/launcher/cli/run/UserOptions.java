package io.isola.launcher.cli.run;

import io.isola.api.ContainerSpec;
import io.isola.api.Filesystem;
import io.isola.api.ProcessUser;
import io.isola.api.UserNamespace;
import io.isola.launcher.image.Image;
import io.isola.spi.HostIdentity;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The user namespace and process user options of {@code isola run}: {@code --userns},
 * {@code --uidmap}, {@code --gidmap}, {@code --user}, {@code --group-add}. Parsing only; the
 * extensions check themselves and the user isolator checks who may map what.
 */
final class UserOptions {

    @Option(
            names = "--userns",
            arity = "0",
            paramLabel = "[host]",
            parameterConsumer = UsernsValue.class,
            description = "New user namespace with the default mapping: root inside is an "
                    + "unprivileged host uid (root's range from /etc/subuid of user isola; always on when not run as root)."
                    + " --userns host (Docker's): none, as without --userns when run as root.")
    private String userns;

    @Option(
            names = "--uidmap",
            paramLabel = "CTR:HOST:LEN",
            description = "Map container uids CTR.. to host uids HOST.. (LEN ids); repeatable; implies --userns.")
    private List<String> uidMaps = new ArrayList<>();

    @Option(
            names = "--gidmap",
            paramLabel = "CTR:HOST:LEN",
            description = "Map container gids as --uidmap maps uids; repeatable; default: as the uids.")
    private List<String> gidMaps = new ArrayList<>();

    @Option(
            names = {"-u", "--user"},
            paramLabel = "USER[:GROUP]",
            description =
                    "Run CMD as this user and group, names or numbers; names are looked up in the container's /etc/passwd and "
                            + "/etc/group, with the groups that list the user (default group: the user's in /etc/passwd, else 0); "
                            + "no capabilities unless the uid is 0.")
    private String user;

    @Option(names = "--group-add", paramLabel = "GID", description = "Supplementary group of CMD; repeatable.")
    private List<Long> groups = new ArrayList<>();

    /**
     * {@code isolators} with the user isolator added when the container gets a user namespace
     * (asked for, or isola not run by root and any namespace or a user selected), so that the CLI waits
     * for its service like the others'.
     */
    Set<String> isolators(Set<String> isolators) {
        boolean rootless = !HostIdentity.current().isRoot() && (!isolators.isEmpty() || user != null);
        if (UsernsValue.HOST.equals(userns)) {
            if (!uidMaps.isEmpty() || !gidMaps.isEmpty()) {
                throw new IllegalArgumentException("--userns \"host\" and "
                        + (uidMaps.isEmpty() ? "--gidmap" : "--uidmap") + ": expected one of them");
            }
            if (rootless) {
                throw new IllegalArgumentException("--userns \"host\": not supported by isola when not run as root"
                        + " (a rootless container always has a user namespace)");
            }
            return isolators;
        }
        if (!wantsUserNamespace() && !rootless) {
            return isolators;
        }
        Set<String> withUser = new LinkedHashSet<>(List.of("user"));
        withUser.addAll(isolators);
        return withUser;
    }

    /** How the store's volumes become the container root's, given the run's {@code isolators} (before {@link #isolators}). */
    VolumeOwners volumeOwners(Set<String> isolators) {
        return VolumeOwners.of(
                isolators(isolators).contains("user"),
                wantsUserNamespace() ? UserNamespace.parse(uidMaps, gidMaps) : null);
    }

    /**
     * Adds the extensions these options ask for; names in --user are looked up in the container's
     * /etc/passwd and /etc/group, those of {@code filesystem}'s root (the host's without one).
     * Without --user, the process runs as {@code image}'s User, as Docker runs it.
     */
    void applyTo(ContainerSpec.Builder builder, Filesystem filesystem, Image image) {
        if (wantsUserNamespace()) {
            builder.with(UserNamespace.parse(uidMaps, gidMaps));
        }
        String imageUser = image == null || image.user() == null ? "" : image.user();
        if (user != null) {
            builder.with(processUser(user, filesystem));
        } else if (!imageUser.isEmpty()) {
            try {
                builder.with(processUser(imageUser, filesystem));
            } catch (IllegalArgumentException e) {
                // the message is ContainerUsers's, made for --user; here the value is the image's
                throw new IllegalArgumentException(
                        "image " + image.name() + ": its User " + e.getMessage().replaceFirst("^--user ", "")
                                + " (--user overrides it)",
                        e);
            }
        } else if (!groups.isEmpty()) {
            throw new IllegalArgumentException("--group-add " + groups.get(0) + ": needs --user");
        }
    }

    /** HOME for {@code spec}'s process user, as Docker sets it: the user's home in the container's /etc/passwd, else "/". */
    static String home(ContainerSpec spec, Filesystem filesystem) {
        long uid = spec.extension(ProcessUser.class).map(ProcessUser::uid).orElse(0L);
        return users(filesystem).home(uid);
    }

    private ProcessUser processUser(String value, Filesystem filesystem) {
        // a uid alone takes its group from the container's /etc/passwd, as Docker's does (else group 0)
        if (ContainerUsers.hasNames(value) || value.indexOf(':') < 0) {
            return users(filesystem).resolve(value, groups);
        }
        return ProcessUser.parse(value).withGroups(groups);
    }

    /** The users and groups of {@code filesystem}'s root. */
    private static ContainerUsers users(Filesystem filesystem) {
        return new ContainerUsers(new RootFileReader(rootLayers(filesystem)));
    }

    /** The container's root as directories, top first: a --rootfs, an image's layers, or the host's own root. */
    private static List<Path> rootLayers(Filesystem filesystem) {
        if (filesystem != null && filesystem.rootfs().isPresent()) {
            return List.of(Path.of(filesystem.rootfs().get()));
        }
        if (filesystem != null && !filesystem.layers().isEmpty()) {
            return filesystem.layers().stream().map(Path::of).toList();
        }
        return List.of(Path.of("/"));
    }

    private boolean wantsUserNamespace() {
        return UsernsValue.OWN.equals(userns) || !uidMaps.isEmpty() || !gidMaps.isEmpty();
    }
}
