package io.isola.ns.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.Filesystem;
import io.isola.api.TmpfsMount;
import io.isola.spi.Arg;
import io.isola.spi.LibcCall;
import io.isola.spi.Step;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mount label (OCI's linux.mountLabel) as the {@code context=} of the file systems made for
 * the container alone, as runc gives it, read from the plan (nothing is mounted; scripts/smoke-vm.sh
 * mounts them under SELinux): its /dev, devpts (both mounts: a remount resets what it does not
 * name), shm, a user's tmpfs and the masks' tmpfs; never proc, sysfs, a bind or mqueue (whose
 * mount refuses a context=).
 */
class MountLabelTest {

    private static final String LABEL = "system_u:object_r:container_file_t:s0:c1,c2";

    @TempDir
    Path rootfs;

    /** "fstype on target: data" of every mount(2) of the plan. */
    private List<String> mounts(String mountLabel) {
        Filesystem filesystem = Filesystem.builder()
                .rootfs(rootfs.toString())
                .tmpfs(TmpfsMount.at("/scratch"))
                .build();
        return FilesystemPlan.of(filesystem, Neighbours.of(true, true))
                .mountLabel(mountLabel)
                .plan()
                .steps()
                .planned()
                .stream()
                .map(p -> p.step())
                .filter(Objects::nonNull)
                .filter(step -> step.call() == LibcCall.MOUNT)
                .map(MountLabelTest::describe)
                .toList();
    }

    private static String describe(Step step) {
        return text(step.args().get(2)) + " on " + text(step.args().get(1)) + ": "
                + text(step.args().get(4));
    }

    private static String text(Arg arg) {
        return arg instanceof Arg.Text text ? text.value() : "-";
    }

    @Test
    void theContainersOwnFileSystemsGetTheLabelAsTheirContext() {
        String context = "context=\"" + LABEL + "\"";
        List<String> mounts = mounts(LABEL).stream()
                .map(m -> m.replace(rootfs.toString(), ""))
                .toList();
        for (String expected : List.of(
                "tmpfs on /dev: mode=755,size=65536k," + context,
                "devpts on /dev/pts: newinstance,ptmxmode=0666,mode=0620," + context,
                "devpts on /dev/pts: newinstance,ptmxmode=0666,mode=0620,gid=5," + context,
                "tmpfs on /dev/shm: mode=1777,size=65536k," + context,
                "tmpfs on /proc/acpi: mode=555," + context)) {
            assertTrue(mounts.contains(expected), () -> expected + " in " + mounts);
        }
        assertTrue(
                mounts.stream().anyMatch(m -> m.startsWith("tmpfs on /scratch: ") && m.endsWith("," + context)),
                mounts::toString);
        assertTrue(mounts.contains("mqueue on /dev/mqueue: -"), mounts::toString);
        // every tmpfs and devpts; proc, sysfs and the binds keep the kernel's labels, or their sources'
        for (String mount : mounts) {
            boolean own = mount.startsWith("tmpfs ") || mount.startsWith("devpts ");
            assertEquals(own, mount.endsWith(context), mount);
        }
    }

    @Test
    void withoutALabelTheMountsAreAsBefore() {
        assertEquals(
                List.of(),
                mounts(null).stream().filter(m -> m.contains("context=")).toList());
    }
}
