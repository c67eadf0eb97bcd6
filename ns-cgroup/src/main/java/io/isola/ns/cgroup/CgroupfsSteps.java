package io.isola.ns.cgroup;

import io.isola.ns.cgroup.CgroupDriver.CgroupfsMount;
import io.isola.spi.Step;
import io.isola.spi.Steps;
import java.util.ArrayList;
import java.util.List;

/**
 * The child's steps that give it a read-only {@code /sys/fs/cgroup} of its own. They run after the
 * child entered its cgroup namespace, so every hierarchy mounted there shows the container's own
 * cgroup as its root and nothing of the host's tree above or beside it.
 */
final class CgroupfsSteps {

    private static final long FLAGS = Steps.MS_NOSUID | Steps.MS_NODEV | Steps.MS_NOEXEC;

    private CgroupfsSteps() {}

    static List<Step> of(List<CgroupfsMount> mounts) {
        List<Step> steps = new ArrayList<>();
        List<CgroupfsMount> tmpfs = new ArrayList<>();
        for (CgroupfsMount m : mounts) {
            if (m.fstype().equals("tmpfs")) {
                steps.add(Steps.mount("mount a tmpfs on " + m.target(), "tmpfs", m.target(), "tmpfs", FLAGS, m.data()));
                tmpfs.add(m);
                continue;
            }
            if (!tmpfs.isEmpty()) {
                steps.add(Steps.mkdir(m.target(), 0755));
            }
            String what = m.data() == null ? m.fstype() : m.fstype() + " (" + m.data() + ")";
            steps.add(Steps.mount(
                    "mount " + what + " read-only on " + m.target(),
                    "cgroup",
                    m.target(),
                    m.fstype(),
                    FLAGS | Steps.MS_RDONLY,
                    m.data()));
        }
        // the directories are made; now nothing under /sys/fs/cgroup may be created or removed
        for (CgroupfsMount m : tmpfs) {
            steps.add(Steps.mount(
                    "make " + m.target() + " read-only",
                    null,
                    m.target(),
                    null,
                    Steps.MS_REMOUNT | Steps.MS_RDONLY | FLAGS,
                    m.data()));
        }
        return steps;
    }
}
