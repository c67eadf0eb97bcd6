package io.isola.lifecycle;

import io.isola.api.CgroupLocation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thaws a paused container after a signal was sent to it, so that kill, stop and rm work on it as
 * Docker's do: a v1-frozen process does not even die of SIGKILL until it is thawed. Done here,
 * from the recorded directories and the kernel's two freezer files, rather than through the cgroup
 * bundle, so these verbs need no framework.
 */
final class PausedThaw {

    private static final Logger LOG = LoggerFactory.getLogger(PausedThaw.class);
    private static final Path CGROUPFS = Path.of("/sys/fs/cgroup");

    private PausedThaw() {}

    /**
     * Thaws the container of {@code state}, and records that it is not paused. Done whether or not
     * the state says it is paused (thawing a running cgroup changes nothing): a pause that died
     * between freezing and recording it must not leave a container that cannot be killed.
     */
    static void ifPaused(StateStore store, ContainerState state) {
        ContainerState.Extra extra = state.isola();
        if (extra == null || extra.cgroup() == null || extra.cgroup().location() == null) {
            return;
        }
        thaw(extra.cgroup().location());
        if (!extra.paused()) {
            return;
        }
        ContainerState current = store.read(state.id());
        if (current != null && current.isola() != null && current.isola().cgroup() != null) {
            store.write(current.withExtra(
                    current.isola().withCgroup(current.isola().cgroup().withPaused(false))));
        }
    }

    static void thaw(CgroupLocation location) {
        for (String recorded : location.dirs().values()) {
            Path dir = Path.of(recorded).normalize();
            if (!dir.startsWith(CGROUPFS)) {
                continue; // not a cgroup directory: never write outside cgroupfs
            }
            write(dir.resolve("freezer.state"), "THAWED"); // v1
            write(dir.resolve("cgroup.freeze"), "0"); // v2
        }
    }

    private static void write(Path file, String value) {
        if (!Files.exists(file)) {
            return;
        }
        try {
            Files.write(file, value.getBytes(StandardCharsets.US_ASCII), StandardOpenOption.WRITE);
        } catch (IOException e) {
            LOG.warn("cannot thaw {}: {}", file, e.toString());
        }
    }
}
