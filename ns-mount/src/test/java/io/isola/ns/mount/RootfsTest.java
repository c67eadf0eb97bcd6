package io.isola.ns.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.api.Filesystem;
import io.isola.api.Isola;
import io.isola.api.TmpfsMount;
import io.isola.testing.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Inside, / is the root file system: the host's files, /dev, /proc and /sys are out of reach. */
class RootfsTest {

    private static Isola isola;

    @TempDir
    Path tmp;

    private Path rootfs;
    private Path secret;

    @BeforeAll
    static void runtime() {
        isola = Containers.runtime();
    }

    @AfterAll
    static void close() {
        isola.close();
    }

    @BeforeEach
    void image() throws Exception {
        rootfs = Busybox.rootfs(tmp.resolve("rootfs"));
        secret = Files.writeString(Files.createDirectories(tmp.resolve("host")).resolve("secret"), "host secret\n");
    }

    private Outcome sh(String script) throws Exception {
        return Containers.sh(
                isola, Filesystem.builder().rootfs(rootfs.toString()).build(), script);
    }

    @Test
    void slashIsTheRootFileSystem() throws Exception {
        Files.writeString(rootfs.resolve("etc/marker"), "image\n");

        Outcome outcome = sh("cat /etc/marker; ls /");

        assertEquals(0, outcome.status().exitCode(), outcome.err());
        assertEquals("image\nbin\ndev\netc\nproc\nsys\ntmp\n", outcome.out());
    }

    @Test
    void aHostFileIsUnreachableThroughProcDotDotAndPlantedLinks() throws Exception {
        Files.createSymbolicLink(rootfs.resolve("absolute"), secret);
        Files.createSymbolicLink(rootfs.resolve("relative"), Path.of("../".repeat(20) + secret));
        Files.createSymbolicLink(rootfs.resolve("dir"), secret.getParent());
        String s = secret.toString();
        List<String> paths = List.of(
                s,
                "/proc/1/root" + s,
                "/proc/self/root" + s,
                "/proc/1/cwd/../../../.." + s,
                "/../../../.." + s,
                "/absolute",
                "/relative",
                "/dir/secret",
                "/proc/1/root/absolute");

        Outcome outcome = sh("for p in " + String.join(" ", paths) + "; do cat $p 2>/dev/null && echo LEAK $p; done; "
                + "ls /proc/1/root/");

        assertEquals(0, outcome.status().exitCode(), outcome.err());
        assertFalse(outcome.out().contains("host secret"), outcome.out());
        assertFalse(outcome.out().contains("LEAK"), outcome.out());
        assertTrue(outcome.out().contains("absolute\nbin\n"), "/proc/1/root is the image: " + outcome.out());
    }

    @Test
    void mountListsOnlyTheContainersMounts() throws Exception {
        Outcome outcome = sh("mount; echo ---; cut -d' ' -f5 /proc/self/mountinfo");

        assertEquals(0, outcome.status().exitCode(), outcome.err());
        String[] parts = outcome.out().split("---\n");
        List<String> mountPoints = parts[1].lines().toList();
        for (String point : mountPoints) {
            assertTrue(
                    point.equals("/") || point.matches("/(proc|dev|sys)(/.*)?"),
                    "a mount that is not the container's: " + point + "\n" + outcome.out());
        }
        assertEquals(mountPoints.size(), parts[0].lines().count(), "mount lists exactly the container's mounts");
        assertFalse(outcome.out().contains(tmp.toString() + "/host"), outcome.out());
        assertEquals("/", mountPoints.get(0));
    }

    @Test
    void devHoldsExactlyTheListedNodes() throws Exception {
        Outcome outcome = sh("ls -A /dev; echo ---; ls -A /dev/pts; readlink /dev/ptmx; readlink /dev/fd; "
                + "echo hello > /dev/null && head -c 4 /dev/zero | wc -c && echo ok > /dev/shm/x && cat /dev/shm/x");

        assertEquals(0, outcome.status().exitCode(), outcome.err());
        assertEquals(
                "fd\nfull\nmqueue\nnull\nptmx\npts\nrandom\nshm\nstderr\nstdin\nstdout\ntty\nurandom\nzero\n---\n"
                        + "ptmx\npts/ptmx\n/proc/self/fd\n4\nok\n",
                outcome.out());
    }

    @Test
    void aPtyOpenedInTheContainerBelongsToGroupTty() throws Exception {
        Outcome outcome =
                sh("exec 3<>/dev/ptmx; stat -c '%n %u:%g %a' /dev/pts/0; grep ' /dev/pts ' /proc/self/mounts");

        assertEquals(0, outcome.status().exitCode(), outcome.err());
        List<String> lines = outcome.out().lines().toList();
        assertEquals("/dev/pts/0 0:5 620", lines.get(0), outcome.out());
        assertTrue(
                lines.get(1).matches("devpts /dev/pts devpts rw,nosuid,noexec,\\S*gid=5,mode=620,ptmxmode=666 0 0"),
                outcome.out());
    }

    @Test
    void procIsThePidNamespacesAndItsKernelInterfacesAreMasked() throws Exception {
        List<String> maskedFiles = Lockdown.MASKED.stream()
                .filter(p -> p.startsWith("/proc/"))
                .filter(p -> Files.isRegularFile(Path.of(p)))
                .toList();
        assumeTrue(!maskedFiles.isEmpty(), "this kernel has none of the masked /proc files");

        Outcome outcome = sh("echo /proc/[0-9]*; for f in " + String.join(" ", maskedFiles)
                + "; do echo $f $(wc -c < $f); done; ls /proc/acpi 2>/dev/null | wc -l");

        assertEquals(0, outcome.status().exitCode(), outcome.err());
        List<String> lines = outcome.out().lines().toList();
        assertEquals("/proc/1", lines.get(0), "the shell is the only process in its PID namespace's /proc");
        for (int i = 0; i < maskedFiles.size(); i++) {
            assertEquals(maskedFiles.get(i) + " 0", lines.get(i + 1));
        }
        assertEquals("0", lines.get(lines.size() - 1));
    }

    @Test
    void procKcoreIsMasked() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/kcore")), "this kernel has no /proc/kcore (CONFIG_PROC_KCORE unset)");

        Outcome outcome = sh("wc -c < /proc/kcore; grep -c ' /proc/kcore ' /proc/self/mountinfo");

        assertEquals("0\n1\n", outcome.out(), outcome.err());
    }

    @Test
    void sysrqTriggerAndSysctlsCannotBeWritten() throws Exception {
        Outcome outcome = sh("echo 1 > /proc/sysrq-trigger && echo SYSRQ WRITTEN; "
                + "cat /proc/sys/vm/overcommit_memory > /proc/sys/vm/overcommit_memory && echo SYSCTL WRITTEN; "
                + "touch /sys/kernel/x && echo SYS WRITTEN; echo done");

        assertEquals("done\n", outcome.out(), outcome.err());
        assertTrue(outcome.err().contains("Read-only file system"), outcome.err());
        if (Files.exists(Path.of("/proc/sysrq-trigger"))) {
            assertTrue(outcome.err().lines().findFirst().orElse("").contains("Read-only file system"), outcome.err());
        }
    }

    @Test
    void readOnlyRootRefusesWritesWithErofsExceptInTmpfs() throws Exception {
        Filesystem filesystem = Filesystem.builder()
                .rootfs(rootfs.toString())
                .readOnly(true)
                .tmpfs(TmpfsMount.parse("/scratch:size=1m"))
                .build();

        Outcome outcome = Containers.sh(
                isola,
                filesystem,
                "touch /etc/x 2>&1; touch /tmp/x 2>&1; "
                        + "echo a > /scratch/x && echo b > /dev/shm/x && cat /scratch/x /dev/shm/x; "
                        + "grep ' /scratch ' /proc/self/mountinfo | grep -c size=1024k");

        assertEquals(
                "touch: /etc/x: Read-only file system\ntouch: /tmp/x: Read-only file system\na\nb\n1\n",
                outcome.out(),
                outcome.err());
        assertFalse(Files.exists(rootfs.resolve("etc/x")));
        assertTrue(Files.isDirectory(rootfs.resolve("scratch")), "the missing tmpfs target was created in the image");
        try (var files = Files.list(rootfs.resolve("scratch"))) {
            assertEquals(0, files.count(), "the tmpfs's content reached the image");
        }
    }

    @Test
    void theImageIsUnchangedWithoutVolumesExceptForWhatTheContainerWrites() throws Exception {
        TreeSet<String> before = listing(rootfs);

        Outcome outcome = sh("echo hi > /etc/written");

        assertEquals(0, outcome.status().exitCode(), outcome.err());
        TreeSet<String> after = listing(rootfs);
        after.remove("etc/written");
        assertEquals(before, after);
    }

    private static TreeSet<String> listing(Path root) throws Exception {
        try (var walk = Files.walk(root)) {
            return walk.map(p -> root.relativize(p).toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
