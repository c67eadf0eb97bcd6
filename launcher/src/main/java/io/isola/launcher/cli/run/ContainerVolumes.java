package io.isola.launcher.cli.run;

import io.isola.api.Filesystem;
import io.isola.api.TmpfsMount;
import io.isola.api.Volume;
import io.isola.launcher.image.SeedSource;
import io.isola.launcher.volume.VolumeRecord;
import io.isola.launcher.volume.VolumeStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A run's volumes of the volume store, turned into binds of their {@code _data} directories: the
 * named and anonymous ones its options ask for, and an anonymous one for each {@code VOLUME} of
 * its image that nothing else is mounted on (Docker's rule).
 */
final class ContainerVolumes {

    private ContainerVolumes() {}

    /** Anonymous volumes for the image's {@code VOLUME} paths that no bind, tmpfs or requested volume covers. */
    static List<VolumeRequest> ofImage(
            List<String> imageVolumes, Filesystem filesystem, List<VolumeRequest> requested) {
        Set<String> taken = new HashSet<>();
        filesystem.volumes().stream().map(Volume::target).forEach(t -> taken.add(normal(t)));
        filesystem.tmpfs().stream().map(TmpfsMount::target).forEach(t -> taken.add(normal(t)));
        requested.forEach(r -> taken.add(normal(r.target())));
        List<VolumeRequest> anonymous = new ArrayList<>();
        for (String path : imageVolumes) {
            if (path.startsWith("/") && taken.add(normal(path))) {
                anonymous.add(new VolumeRequest(null, path, false, true));
            }
        }
        return anonymous;
    }

    /**
     * {@code filesystem} with a bind of each requested volume's data. With {@code make} the
     * volumes are made (and a new one filled from {@code seed}); without, the binds
     * only name where they will be (the run's first, checking pass, before the container is
     * registered: so a run refused later leaves no volume behind). {@code owners} says how they
     * become the container root's in a user namespace.
     */
    static Filesystem bind(
            Filesystem filesystem,
            List<VolumeRequest> requests,
            String containerId,
            SeedSource seed,
            boolean make,
            VolumeOwners owners) {
        VolumeStore store = VolumeStore.fromEnvironment();
        Filesystem.Builder builder = filesystem.toBuilder();
        for (VolumeRequest request : requests) {
            String name = request.nameFor(containerId);
            VolumeStore.Prepared prepared = make
                    ? store.prepare(
                            name,
                            request.name() == null ? Map.of(VolumeRecord.ANONYMOUS, "") : Map.of(),
                            request.target(),
                            seed,
                            request.copyUp(),
                            containerId)
                    : new VolumeStore.Prepared(store.data(name), false);
            if (prepared.made()) {
                owners.made(name, prepared.data());
            }
            builder.volume(new Volume(
                    prepared.data().toString(), request.target(), request.readOnly(), owners.options(prepared.made())));
        }
        return builder.build();
    }

    private static String normal(String path) {
        return Path.of(path).normalize().toString();
    }
}
