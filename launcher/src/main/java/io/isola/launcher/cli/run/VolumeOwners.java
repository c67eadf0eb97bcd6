package io.isola.launcher.cli.run;

import io.isola.api.UserNamespace;
import io.isola.api.Volume;
import io.isola.launcher.image.SubordinateTrees;
import io.isola.spi.support.HostIdentity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

/**
 * How a run's volumes of the store get their owners in its user namespace, so that the
 * container's root owns them (not nobody), as Docker's userns-remap and podman do. Root's
 * container: a volume made for it is given to the container's ids before it starts ({@link
 * Volume.Option#SHIFT_OWNERS}, done by the mount isolator with the namespace's real maps, the
 * default mapping's too), and a volume whose owner the maps do not cover (made for a container
 * without a user namespace) is idmapped ({@link Volume.Option#IDMAP}). A rootless user's: its
 * default mapping makes the user's own files the container root's already; with {@code --uidmap},
 * a volume made for the container is shifted to the container's ids in the user's namespace.
 */
final class VolumeOwners {

    static final VolumeOwners NONE = new VolumeOwners(false, null);

    private final boolean userNamespace;
    /** The maps asked for; null for the default mapping. */
    private final UserNamespace requested;

    private VolumeOwners(boolean userNamespace, UserNamespace requested) {
        this.userNamespace = userNamespace;
        this.requested = requested;
    }

    /** For a container with a user namespace ({@code requested} null for the default mapping), else {@link #NONE}. */
    static VolumeOwners of(boolean userNamespace, UserNamespace requested) {
        return userNamespace
                ? new VolumeOwners(true, requested == null || requested.isDefaultMapping() ? null : requested)
                : NONE;
    }

    /** The options of a store volume's bind; {@code made}: this run made the volume. */
    Set<Volume.Option> options(boolean made) {
        if (!userNamespace || !HostIdentity.current().isRoot()) {
            return Set.of();
        }
        return made ? EnumSet.of(Volume.Option.IDMAP, Volume.Option.SHIFT_OWNERS) : EnumSet.of(Volume.Option.IDMAP);
    }

    /** Gives {@code data}, a volume this run made, to a rootless container's ids when they are not the user's own. */
    void made(String name, Path data) {
        if (!userNamespace || requested == null || HostIdentity.current().isRoot()) {
            return;
        }
        try {
            SubordinateTrees.shiftOwners(data, requested.uidMappings(), requested.gidMappings());
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "volume \"" + name + "\": cannot give it to the container's root: " + e.getMessage(), e);
        }
    }
}
