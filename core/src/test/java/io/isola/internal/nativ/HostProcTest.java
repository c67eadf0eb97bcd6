package io.isola.internal.nativ;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.lifecycle.ProcessIdentity;
import io.isola.testing.HostCommand;
import io.isola.testing.SameTickPidReuse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * runc's CVE-2025-52881: a procfs write of the runtime (the AppArmor attribute of the child) looked
 * up through a /proc that somebody mounts on meanwhile lands in that mount. The attacker here
 * mounts a tmpfs on /proc/PID/attr of a process of the test's own, in the runtime's mount
 * namespace (a container with a shared bind of the host's /proc could); through {@link
 * HostProc}'s handle the process's real attributes are still there.
 */
class HostProcTest {

    @Test
    void aMountOnAProcessesAttributesDoesNotRedirectTheHandle() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        Path attr = Path.of("/proc", Long.toString(sleeper.pid()), "attr");
        int fd = -1;
        try {
            HostCommand.run("mount", "-t", "tmpfs", "-o", "size=4k", "isola-attack", attr.toString());
            Files.writeString(attr.resolve("current"), "fake\n"); // what a redirected write or read would meet
            fd = HostProc.open();

            Path through = Path.of("/proc/self/fd/" + fd, Long.toString(sleeper.pid()), "attr");
            assertEquals(5, Files.size(attr.resolve("current")), "the mount is in place on the plain /proc");
            assertEquals(
                    0, Files.size(through.resolve("current")), "through the handle: procfs's file, not the tmpfs's");
            assertTrue(Files.exists(through.resolve("exec")), "through the handle: the process's attr directory");
        } finally {
            Fds.closeQuietly(fd);
            new ProcessBuilder("umount", "-l", attr.toString()).start().waitFor(10, TimeUnit.SECONDS);
            sleeper.destroyForcibly();
            sleeper.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aWriteGoesToTheProcessesFileNotToWhatIsBoundOnIt(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        Path oom = Path.of("/proc", Long.toString(sleeper.pid()), "oom_score_adj");
        Path fake = Files.writeString(tmp.resolve("fake"), "0\n");
        try {
            HostCommand.run("mount", "--bind", fake.toString(), oom.toString());

            HostProc.write(sleeper.pid() + "/oom_score_adj", "500".getBytes(StandardCharsets.US_ASCII));

            assertEquals("0\n", Files.readString(fake), "the file bound on the process's was not written");
            HostCommand.run("umount", oom.toString());
            assertEquals("500\n", Files.readString(oom));
        } finally {
            new ProcessBuilder("umount", "-l", oom.toString()).start().waitFor(10, TimeUnit.SECONDS);
            sleeper.destroyForcibly();
            sleeper.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * exec's check that a stored pid is still the container's process: a host process that took the
     * pid within the tick the container's process started in has its start time too, and the exec
     * would join the host process's namespaces, i.e. none. Its pidfd's pidfs inode is not the one
     * the container's state recorded.
     */
    @Test
    void aProcessThatTookThePidWithinTheSameTickIsNotHeldForTheContainers() throws Exception {
        try (SameTickPidReuse<ProcessIdentity> reuse = SameTickPidReuse.force(ProcessIdentity::of)) {
            ProcessIdentity ended = reuse.recorded();
            try (HeldProcess taken = Syscalls.linux().openProcess(reuse.pid(), ended.startTime())) {
                assertNotNull(taken, "by pid and start time (the exec's check before) the host process passes");
            }
            assumeTrue(ended.pidfsInode() != 0, "a kernel before 6.9: pidfds have no inode of their own");
            assertNull(
                    Syscalls.linux().openProcess(reuse.pid(), ended.startTime(), ended.pidfsInode()),
                    "by its pidfs inode too, the host process is not taken for the container's");
        }
    }

    /**
     * exec's check that a stored pid is still the container's process (its start time): a file
     * bound on the plain /proc/PID/stat of a host process that took the pid could show the ended
     * container's start time, and the exec would join the host process's namespaces, i.e. none.
     */
    @Test
    void aStartTimeBoundOnAProcessesStatDoesNotPassForTheContainers(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        Path stat = Path.of("/proc", Long.toString(sleeper.pid()), "stat");
        try {
            long real = ProcessStartTime.of(sleeper.pid());
            long claimed = real - 1; // the start time of the container's process that had the pid
            Path fake = Files.writeString(tmp.resolve("stat"), withStartTime(Files.readString(stat), claimed));
            HostCommand.run("mount", "--bind", fake.toString(), stat.toString());
            assertEquals(
                    withStartTime(Files.readString(fake), claimed), Files.readString(stat), "the plain /proc shows it");

            assertEquals(
                    null,
                    Syscalls.linux().openProcess(sleeper.pid(), claimed),
                    "the process is not taken for the one that started at the claimed time");
            try (HeldProcess held = Syscalls.linux().openProcess(sleeper.pid(), real)) {
                assertEquals(sleeper.pid(), held.pid(), "held by its real start time");
            }
        } finally {
            new ProcessBuilder("umount", "-l", stat.toString()).start().waitFor(10, TimeUnit.SECONDS);
            sleeper.destroyForcibly();
            sleeper.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** {@code stat} with its 22nd field (starttime) replaced. */
    private static String withStartTime(String stat, long startTime) {
        int command = stat.lastIndexOf(')');
        String[] fields = stat.substring(command + 2).split(" ", -1); // from field 3, the state
        fields[22 - 3] = Long.toString(startTime);
        return stat.substring(0, command + 2) + String.join(" ", fields);
    }

    /**
     * The handle is a procfs of its own, not a clone of the /proc mount: what covers /proc (a
     * procfs of a container's PID namespace mounted there through a shared bind) is not copied.
     */
    @Test
    void theHandleIsAProcfsOfItsOwnThatShowsThisProcess() throws Exception {
        int fd = HostProc.open(), mounted = Fds.open("/proc", Fds.O_PATH, 0);
        try {
            assertTrue(
                    FileAttributes.stat(fd).dev()
                            != FileAttributes.stat(mounted).dev(),
                    "another procfs than the one mounted on /proc");
            assertEquals(
                    Long.toString(ProcessHandle.current().pid()),
                    HostProc.readLinkAt(fd, "self"),
                    "of this process's PID namespace");
        } finally {
            Fds.closeQuietly(fd);
            Fds.closeQuietly(mounted);
        }
    }

    /** A double close elsewhere could hand the kept handle's number to another file: it is opened anew. */
    @Test
    void aKeptHandleClosedByOtherCodeIsOpenedAnew(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        int kept = HostProc.shared();
        // opened before kept is closed: it would take kept's number itself if that were the lowest free
        int dir = Fds.open(tmp.toString(), Fds.O_PATH | Fds.O_DIRECTORY, 0);
        Fds.closeQuietly(kept);
        int other = Fds.dupCloexec(dir, kept); // the lowest free number from kept's: kept's
        try {
            org.junit.jupiter.api.Assumptions.assumeTrue(kept == other, "another thread took the number first");
            int reopened = HostProc.shared();
            assertTrue(reopened != other, "not the directory that took the number");
            assertTrue(ProcessStartTime.of(ProcessHandle.current().pid()) > 0, "read below the new handle");
        } finally {
            Fds.closeQuietly(other);
            Fds.closeQuietly(dir);
        }
    }

    @Test
    void aHandleOnAnotherFileSystemIsRefused(@org.junit.jupiter.api.io.TempDir Path tmp) {
        int fd = Fds.open(tmp.toString(), Fds.O_PATH | Fds.O_DIRECTORY, 0);
        try {
            IllegalStateException refused =
                    assertThrows(IllegalStateException.class, () -> HostProc.requireProcfs(fd, tmp.toString()));
            assertTrue(refused.getMessage().startsWith(tmp + " is not a procfs"), refused.getMessage());
            Fds.closeQuietly(HostProc.open()); // the host's /proc is one
        } finally {
            Fds.closeQuietly(fd);
        }
    }

    /**
     * A file longer than the most read of it is an error, not its beginning: a container that
     * mounts enough (through a shared volume's propagation) would otherwise push the line that
     * matters in the runtime's mountinfo past what is read, and it would be taken as absent.
     */
    @Test
    void aFileLongerThanTheLimitIsAnErrorNotItsBeginning() throws Exception {
        byte[] whole = HostProc.read("self/mountinfo", 1 << 24);
        assertTrue(whole.length > 64, "a mountinfo of " + whole.length + " bytes");

        java.io.IOException refused =
                assertThrows(java.io.IOException.class, () -> HostProc.read("self/mountinfo", whole.length - 1));
        assertEquals(
                "/proc/self/mountinfo is longer than " + (whole.length - 1) + " bytes, the most read of it",
                refused.getMessage());
        assertEquals(whole.length, HostProc.read("self/mountinfo", whole.length).length, "a file as long as the limit");
    }
}
