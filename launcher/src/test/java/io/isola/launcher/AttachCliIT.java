package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.internal.nativ.FdInputStream;
import io.isola.internal.nativ.FdOutputStream;
import io.isola.internal.nativ.Pty;
import io.isola.lifecycle.MonitorProcess;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Docker's {@code run -dit}, {@code attach} and {@code start -ai}, typed at a terminal: the CLI
 * runs in a JVM of its own (the thin client of a resident server, or in-process with its monitor
 * process) with a pseudo-terminal of the test's as its stdio; the test reads the container's
 * shell from the master and types into it, the detach keys among it.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AttachCliIT {

    private static final String DETACH = "\u0010\u0011"; // ctrl-p ctrl-q

    @TempDir
    Path dir;

    /**
     * The resident server holds the terminal of {@code run -dit}: an attach sees the shell and
     * sets its size, detaches with ctrl-p ctrl-q (the container runs on), and nobody but the server
     * holds the terminal's master; a served attach whose client is killed lets go of the user's
     * terminal; then two attaches at once (another size; one without stdin)
     * both see what one types, and {@code exit 3} ends both with status 3. (An attach in a JVM of
     * its own is the next test's.)
     */
    @Test
    void runDitThenAttachDetachAndAttachAgainThroughTheResidentServer() throws Exception {
        RootOnly.require();
        Path root = dir.resolve("state");
        try (InProcessCli isola = new InProcessCli(dir)) { // the quick looks: the state root is the served commands'
            String id = lastLine(output(served(root, "run", "-dit", "--name", "held", "--", "sh")));
            try (Screen screen = new Screen(100, 30)) {
                Process attach = served(root, screen.pty, "attach", "held");
                screen.type("echo hel''lo; stty size\n");
                screen.readUntil("hello\r\n30 100");
                screen.type(DETACH);
                screen.readUntil("read escape sequence");
                assertTrue(attach.waitFor(30, TimeUnit.SECONDS), "attach did not end at the detach keys");
                assertEquals(1, attach.exitValue(), "Docker's status of a detached attach");
            }
            assertEquals(
                    "running",
                    isola.ok("inspect", "-f", "{{.State.Status}}", "held").strip());
            long pid = Long.parseLong(
                    isola.ok("inspect", "-f", "{{.State.Pid}}", "held").strip());
            assertTrue(
                    Files.exists(root.resolve(id).resolve("attach.sock")), "the holder listens in the state directory");
            assertEquals(
                    "rwx------",
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve(id))),
                    "only the owner (and root) reach the socket");
            Set<Long> holders = masterHolders(pid);
            assertEquals(1, holders.size(), "processes holding the container's terminal master: " + holders);
            long holder = holders.iterator().next();
            assertTrue(
                    ResidentServers.running(dir.resolve("srv")).stream().anyMatch(p -> p.pid() == holder),
                    "the master is the resident server's, not process " + holder + "'s");
            assertNotEquals(
                    Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/pid")),
                    Files.readSymbolicLink(Path.of("/proc/" + holder + "/ns/pid")),
                    "the holder is not in the container's PIDs");

            try (Screen killed = new Screen(80, 24)) {
                // a served attach whose client is killed: the server lets go of the user's terminal
                Process attach = served(root, killed.pty, "attach", "held");
                for (int i = 0; i < 60 && !killed.shows("mark", 1000); i++) {
                    killed.type("echo ma''rk\n");
                }
                String terminal = Files.readSymbolicLink(Path.of("/proc/self/fd", Integer.toString(killed.pty.slave())))
                        .toString();
                assertTrue(serverHolds(terminal), "the server holds the attached client's terminal");
                attach.destroyForcibly().waitFor();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (serverHolds(terminal) && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertFalse(serverHolds(terminal), "the server still holds a killed client's terminal");
            }
            try (Screen typing = new Screen(120, 40);
                    Screen watching = new Screen(120, 40)) {
                Process attach = served(root, typing.pty, "attach", "held");
                Process watcher = served(root, watching.pty, "attach", "--no-stdin", "held");
                // both attached once the watcher sees what the typing side has the shell echo
                for (int i = 0; i < 60 && !watching.shows("tick", 1000); i++) {
                    typing.type("echo ti''ck\n");
                }
                typing.type("stty size\n");
                typing.readUntil("40 120");
                watching.readUntil("40 120");
                typing.type("exit 3\n");
                assertTrue(
                        attach.waitFor(30, TimeUnit.SECONDS) && watcher.waitFor(30, TimeUnit.SECONDS),
                        "attach did not end");
                assertEquals(3, attach.exitValue(), "attach ends with the container's status");
                assertEquals(3, watcher.exitValue(), "so does the second attach");
            }
            assertFalse(
                    Files.exists(root.resolve(id).resolve("attach.sock")),
                    "the holder's socket is gone with the container");
            assertTrue(isola.ok("logs", "held").contains("hello"), "the output went to the log too");
        } finally {
            ResidentServers.stopAll(dir.resolve("srv"));
        }
    }

    /**
     * Without the server ({@code ISOLA_SERVER=off}), the monitor process holds the terminal;
     * {@code start -ai} of the stopped container runs it again and shows what it wrote from its
     * start on, takes keys, and ends with its status. The same for {@code run -di} and an attach
     * from pipes.
     */
    @Test
    void startAiOfAStoppedContainerWhoseMonitorProcessHoldsTheTerminal() throws Exception {
        try (InProcessCli isola = new InProcessCli(dir)) {
            isola.ok("run", "-dit", "--name", "again", "--", "sh", "-c", "echo ready; read x; echo got-$x; exit 4");
            isola.ok("kill", "-s", "KILL", "again");
            assertEquals("137", isola.ok("wait", "again").strip());
            try (Screen screen = new Screen(80, 24)) {
                Process start = cli(dir.resolve("state"), screen.pty, "start", "-ai", "again");
                screen.readUntil("ready");
                screen.type("yes\n");
                screen.readUntil("got-yes");
                assertTrue(start.waitFor(30, TimeUnit.SECONDS), "start -ai did not end");
                assertEquals(4, start.exitValue(), "start -a ends with the container's status");
            }
            isola.fails("is not running: start it first", "attach", "again");

            // -di: the monitor keeps its stdin; an attach from pipes gives it keys, gets its stdout and stderr apart
            isola.ok("run", "-di", "--name", "piped", "--", "sh", "-c", "read l; echo got-$l; echo err-$l >&2; exit 6");
            List<String> command = new ArrayList<>(MonitorProcess.javaCommand(
                    Main.class.getName(), withRoot(dir.resolve("state"), "attach", "piped")));
            command.add(1, "-Disola.bundles=" + System.getProperty("isola.bundles"));
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().put("ISOLA_SERVER", "off");
            Process attach = builder.start();
            attach.getOutputStream().write("one\n".getBytes(StandardCharsets.UTF_8));
            attach.getOutputStream().flush();
            String out = new String(attach.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(attach.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(attach.waitFor(30, TimeUnit.SECONDS), "attach did not end");
            assertEquals("got-one\n", out);
            assertTrue(err.contains("err-one\n"), err);
            assertEquals(6, attach.exitValue(), err);
        }
    }

    /** Whether a resident server of this test's has {@code terminal} open. */
    private boolean serverHolds(String terminal) throws IOException {
        for (ProcessHandle server : ResidentServers.running(dir.resolve("srv"))) {
            try (var fds = Files.newDirectoryStream(Path.of("/proc/" + server.pid() + "/fd"))) {
                for (Path fd : fds) {
                    try {
                        if (Files.readSymbolicLink(fd).toString().equals(terminal)) {
                            return true;
                        }
                    } catch (IOException e) {
                        // closed meanwhile
                    }
                }
            }
        }
        return false;
    }

    /** Pids of the processes that hold the master of the terminal that {@code pid}'s stdin is. */
    private static Set<Long> masterHolders(long pid) throws IOException {
        String devpts = null; // the mount id of the container's own devpts, which tells its ptys from others'
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/mountinfo"))) {
            String[] fields = line.split(" ");
            if (fields[4].equals("/dev/pts")) {
                devpts = fields[0];
            }
        }
        String index = Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/0"))
                .toString()
                .replace("/dev/pts/", "");
        Set<Long> holders = new TreeSet<>();
        try (var processes = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path process : processes) {
                try (var fds = Files.newDirectoryStream(process.resolve("fdinfo"))) {
                    for (Path fd : fds) {
                        String info = Files.readString(fd);
                        if (info.contains("\nmnt_id:\t" + devpts + "\n")
                                && info.contains("tty-index:\t" + index + "\n")) {
                            holders.add(Long.parseLong(process.getFileName().toString()));
                        }
                    }
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
        }
        return holders;
    }

    /** The thin client at {@code pty} (or with no terminal), with a resident server of this test's. */
    private Process served(Path root, Pty pty, String... args) throws IOException {
        List<String> command =
                new ArrayList<>(MonitorProcess.javaCommand("io.isola.launcher.client.Client", withRoot(root, args)));
        List<String> server = new ArrayList<>(MonitorProcess.javaCommand(Main.class.getName(), List.of()));
        server.add(1, "-Disola.bundles=" + System.getProperty("isola.bundles"));
        command.add(1, "-Disola.bundles=" + System.getProperty("isola.bundles"));
        command.add(1, "-Disola.server.dir=" + dir.resolve("srv"));
        command.add(1, "-Disola.server.command=" + String.join(" ", server));
        ProcessBuilder builder = at(new ProcessBuilder(command), pty);
        builder.environment().remove("ISOLA_SERVER");
        builder.environment().put("ISOLA_SERVER_IDLE", "60");
        return builder.start();
    }

    private Process served(Path root, String... args) throws IOException {
        return served(root, null, args);
    }

    /** The CLI in a JVM of its own at {@code pty}, without a server. */
    private static Process cli(Path root, Pty pty, String... args) throws IOException {
        List<String> command = new ArrayList<>(MonitorProcess.javaCommand(Main.class.getName(), withRoot(root, args)));
        command.add(1, "-Disola.bundles=" + System.getProperty("isola.bundles"));
        ProcessBuilder builder = at(new ProcessBuilder(command), pty);
        builder.environment().put("ISOLA_SERVER", "off");
        return builder.start();
    }

    private static List<String> withRoot(Path root, String... args) {
        List<String> all = new ArrayList<>(List.of("--root", root.toString()));
        all.addAll(List.of(args));
        return all;
    }

    private static ProcessBuilder at(ProcessBuilder builder, Pty pty) throws IOException {
        if (pty == null) {
            return builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        }
        File terminal = new File(Files.readSymbolicLink(Path.of("/proc/self/fd", Integer.toString(pty.slave())))
                .toString());
        return builder.redirectInput(terminal).redirectOutput(terminal).redirectError(terminal);
    }

    /** What a command without a terminal printed, once it succeeded. */
    private static String output(Process process) throws Exception {
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the command did not end");
        assertEquals(0, process.exitValue(), err);
        return out;
    }

    private static String lastLine(String out) {
        List<String> lines = out.strip().lines().toList();
        return lines.get(lines.size() - 1).strip();
    }

    /** The user's side of a terminal: what appears on it (read as it comes), and keys typed into it. */
    private static final class Screen implements AutoCloseable {
        final Pty pty;
        private final InputStream shown;
        private final OutputStream keys;
        private final StringBuilder seen = new StringBuilder();
        private final Thread reader;

        Screen(int columns, int rows) {
            pty = Pty.open(columns, rows);
            shown = new FdInputStream(Pty.dup(pty.master()));
            keys = new FdOutputStream(Pty.dup(pty.master()));
            reader = new Thread(this::read, "screen");
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            byte[] buffer = new byte[1024];
            try {
                for (int n = shown.read(buffer); n >= 0; n = shown.read(buffer)) {
                    synchronized (seen) {
                        seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                        seen.notifyAll();
                    }
                }
            } catch (IOException e) {
                // the terminal was closed
            }
        }

        void type(String text) throws IOException {
            keys.write(text.getBytes(StandardCharsets.UTF_8));
            keys.flush();
        }

        /** Whether {@code expected} appeared within {@code millis}; what appeared up to it is consumed. */
        boolean shows(String expected, long millis) throws InterruptedException {
            long deadline = System.nanoTime() + millis * 1_000_000;
            synchronized (seen) {
                while (seen.indexOf(expected) < 0) {
                    long left = (deadline - System.nanoTime()) / 1_000_000;
                    if (left <= 0) {
                        return false;
                    }
                    seen.wait(left);
                }
                seen.delete(0, seen.indexOf(expected) + expected.length());
                return true;
            }
        }

        /** Waits until {@code expected} appears (up to a minute). */
        void readUntil(String expected) throws InterruptedException {
            if (!shows(expected, 60_000)) {
                synchronized (seen) {
                    throw new AssertionError("expected \"" + expected + "\" on the terminal, saw: " + seen);
                }
            }
        }

        @Override
        public void close() throws Exception {
            keys.close();
            pty.close(); // with every peer closed, the reader's read of the master ends (EIO)
            reader.join(5000);
            if (!reader.isAlive()) {
                shown.close(); // not while it reads: the close would wait for the read
            }
        }
    }
}
