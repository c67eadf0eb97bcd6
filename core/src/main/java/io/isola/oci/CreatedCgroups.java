package io.isola.oci;

import io.isola.api.CgroupLocation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cgroups a created container's process was put in, remembered in its state directory so that
 * {@code delete}, in another process, removes them: the cgroup isolator that made them lived in the
 * {@code create} process, which is gone. Recorded are the paths of {@code /proc/<pid>/cgroup} that
 * are the cgroup the isolator reported making (from {@code linux.cgroupsPath} or its default) and
 * not the creating process's own; removal is rmdir only, so a cgroup that still has processes or
 * children stays.
 */
final class CreatedCgroups {

    private static final Logger LOG = LoggerFactory.getLogger(CreatedCgroups.class);
    static final String FILE = "cgroups";

    private CreatedCgroups() {}

    /**
     * Records where container process {@code pid} is in the cgroup {@code location} the cgroup
     * isolator made for it; nothing when no isolator placed it ({@code location} null): it is then
     * in the cgroups of the process that cloned it (an engine's, for a thin create), which differ
     * from this process's without being isola's to remove.
     */
    static void record(Path stateDir, long pid, CgroupLocation location) {
        if (location == null) {
            LOG.debug("container process {}: no cgroup of isola's, none recorded for delete", pid);
            return;
        }
        String made = "/" + location.path().replaceAll("^/+", "");
        Set<String> own = paths(Path.of("/proc/self/cgroup"));
        Set<String> created = new LinkedHashSet<>(paths(Path.of("/proc", Long.toString(pid), "cgroup")));
        created.removeIf(path -> !path.equals(made) || own.contains(path));
        if (created.isEmpty()) {
            return;
        }
        try {
            Files.write(stateDir.resolve(FILE), created, StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.warn("cannot record the cgroups of container process {}: {}", pid, e.toString());
        }
    }

    /** Removes the recorded cgroups; call once the container's processes are gone, before its state is. */
    static void remove(Path stateDir) throws InterruptedException {
        List<String> recorded;
        try {
            recorded = Files.readAllLines(stateDir.resolve(FILE), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            LOG.warn("cannot read the cgroups recorded in {}: {}", stateDir, e.toString());
            return;
        }
        for (String path : recorded) {
            String relative = path.startsWith("/") ? path.substring(1) : path;
            if (!relative.isEmpty()) {
                CgroupRemoval.remove(relative);
            }
        }
    }

    /** The cgroup paths of every hierarchy in a /proc/PID/cgroup file ("id:controllers:path" lines). */
    private static Set<String> paths(Path file) {
        Set<String> paths = new LinkedHashSet<>();
        try (InputStream in = Files.newInputStream(file)) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                int colon = line.indexOf(':', line.indexOf(':') + 1);
                if (colon > 0) {
                    paths.add(line.substring(colon + 1));
                }
            }
        } catch (IOException e) {
            LOG.debug("cannot read {}: {}", file, e.toString());
        }
        return paths;
    }
}
