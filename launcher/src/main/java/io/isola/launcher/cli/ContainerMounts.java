package io.isola.launcher.cli;

import io.isola.api.Volume;
import io.isola.launcher.volume.VolumeStore;
import io.isola.lifecycle.ContainerState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code inspect}'s {@code Mounts}, as Docker shows them: the container's volumes and binds. */
final class ContainerMounts {

    private ContainerMounts() {}

    static List<Map<String, Object>> of(ContainerState state, VolumeStore volumes) {
        List<Map<String, Object>> mounts = new ArrayList<>();
        if (state.isola() == null
                || state.isola().spec() == null
                || state.isola().spec().volumes() == null) {
            return mounts;
        }
        Map<String, String> propagation = state.isola().spec().propagation() == null
                ? Map.of()
                : state.isola().spec().propagation();
        for (Volume volume : state.isola().spec().volumes()) {
            Optional<String> name = volumes.nameOf(Path.of(volume.source()));
            Map<String, Object> mount = new LinkedHashMap<>();
            mount.put("Type", name.isPresent() ? "volume" : "bind");
            name.ifPresent(n -> mount.put("Name", n));
            mount.put("Source", volume.source());
            mount.put("Destination", volume.target());
            name.ifPresent(n -> mount.put("Driver", "local"));
            mount.put("Mode", volume.readOnly() ? "ro" : "");
            mount.put("RW", !volume.readOnly());
            // the container's root is made recursively private, so every mount in it is unless set
            mount.put("Propagation", propagation.getOrDefault(volume.target(), "rprivate"));
            mounts.add(mount);
        }
        return mounts;
    }
}
