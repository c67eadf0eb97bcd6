package io.isola.oci;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes a deleted OCI container's cgroup ({@code linux.cgroupsPath}) from every hierarchy. The
 * process that created the container exited long before, so the cgroup isolator that made the
 * cgroup is not there to remove it; {@code delete} does, once the container's processes are gone,
 * as runc does.
 */
final class CgroupRemoval {

    private static final Logger LOG = LoggerFactory.getLogger(CgroupRemoval.class);
    private static final int ATTEMPTS = 50;

    private CgroupRemoval() {}

    static void remove(String path) throws InterruptedException {
        for (Path mount : cgroupMounts()) {
            Path dir = mount.resolve(path).normalize();
            if (!dir.startsWith(mount) || dir.equals(mount) || !Files.isDirectory(dir)) {
                continue;
            }
            for (int attempt = 1; ; attempt++) {
                try {
                    Files.delete(dir); // rmdir: a cgroup without processes goes, its control files with it
                    LOG.debug("removed cgroup {}", dir);
                    break;
                } catch (NoSuchFileException e) {
                    break;
                } catch (IOException e) {
                    if (attempt >= ATTEMPTS) {
                        LOG.warn("cannot remove cgroup {}: {}", dir, e.toString());
                        break;
                    }
                    Thread.sleep(20); // the last process may still be exiting (EBUSY)
                }
            }
        }
    }

    /** The mount points of every cgroup and cgroup2 file system in this mount namespace. */
    static List<Path> cgroupMounts() {
        List<Path> mounts = new ArrayList<>();
        String table;
        try (InputStream in = Files.newInputStream(Path.of("/proc/self/mountinfo"))) {
            table = new String(in.readAllBytes(), StandardCharsets.UTF_8); // procfs: read to the end, never readString
        } catch (IOException e) {
            LOG.warn("cannot read /proc/self/mountinfo: {}", e.toString());
            return mounts;
        }
        for (String line : table.split("\n")) {
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] fields = line.substring(0, dash).split(" ");
            String fstype = line.substring(dash + 3).split(" ")[0];
            if ((fstype.equals("cgroup") || fstype.equals("cgroup2")) && fields.length > 4) {
                mounts.add(Path.of(fields[4].replace("\\040", " ")));
            }
        }
        return mounts;
    }
}
