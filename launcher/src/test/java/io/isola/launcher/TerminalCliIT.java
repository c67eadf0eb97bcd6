package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.internal.nativ.FdInputStream;
import io.isola.internal.nativ.FdOutputStream;
import io.isola.internal.nativ.Pty;
import io.isola.lifecycle.MonitorProcess;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run -it} and {@code exec -it} driven like a user at a terminal: the CLI runs in its own
 * JVM with a pseudo-terminal of the test's as its stdio; the test reads the shell's prompt from the
 * master, types commands, and resizes the window (then sends SIGWINCH, as the kernel does to the
 * terminal's foreground process group).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TerminalCliIT {

    @TempDir
    Path root;

    @Test
    void runItDrivesAShellThroughAPtyAndPropagatesResizes() throws Exception {
        driveAShell(false);
    }

    /**
     * The same through the resident server (the thin client's terminal, taken over by the
     * server); then the server must have let go of the terminal: keys typed after the command
     * ended reach whoever reads the terminal next, in its own (restored, line) mode.
     */
    @Test
    void runItThroughTheResidentServerAndTheServerLetsGoOfTheTerminalAfter() throws Exception {
        try {
            Pty pty = driveAShell(true);
            try (pty;
                    InputStream next = new FdInputStream(Pty.dup(pty.slave()));
                    OutputStream keys = new FdOutputStream(Pty.dup(pty.master()))) {
                type(keys, "typed-after\n");
                byte[] line = new byte[64];
                CompletableFuture<String> read = CompletableFuture.supplyAsync(() -> {
                    try {
                        int n = next.read(line);
                        return n < 0 ? "" : new String(line, 0, n, StandardCharsets.UTF_8);
                    } catch (IOException e) {
                        return e.toString();
                    }
                });
                assertEquals("typed-after\n", read.get(10, TimeUnit.SECONDS), "the keys after the command");
            }
        } finally {
            assertEquals(
                    1,
                    ResidentServers.stopAll(root.resolve("srv")),
                    "a resident server ran the command (not the client's in-process fallback)");
        }
    }

    /** Drives {@code run -it ... sh} at a pty, in-process or served; returns the pty, open when served. */
    private Pty driveAShell(boolean served) throws Exception {
        RootOnly.require();
        Pty pty = Pty.open(80, 24);
        try {
            String slave = Files.readSymbolicLink(Path.of("/proc/self/fd", Integer.toString(pty.slave())))
                    .toString();
            Process cli = served
                    ? served(slave, "run", "-it", "--hostname", "tty", "--", "sh")
                    : cli(slave, "run", "-it", "--hostname", "tty", "--", "sh");
            InputStream screen = new FdInputStream(Pty.dup(pty.master()));
            OutputStream keys = new FdOutputStream(Pty.dup(pty.master()));
            try {
                readUntil(screen, "# ");
                // the container's terminal is its own: the first of its devpts, with a name there
                type(keys, "tty; stty size; hostname\n");
                String first = readUntil(screen, "tty\r\n# ");
                assertTrue(first.contains("\r\n/dev/pts/0\r\n"), first);
                assertTrue(first.contains("24 80"), first);

                Pty.resize(pty.master(), 132, 43);
                new ProcessBuilder("kill", "-WINCH", Long.toString(cli.pid()))
                        .start()
                        .waitFor();
                Thread.sleep(300);
                type(keys, "stty size\n");
                String second = readUntil(screen, "43 132");
                assertTrue(second.contains("43 132"), second);

                type(keys, "exit 7\n");
                assertTrue(cli.waitFor(30, TimeUnit.SECONDS), "the CLI did not exit");
                assertEquals(7, cli.exitValue());
            } finally {
                cli.destroyForcibly();
                screen.close();
                keys.close();
            }
            if (served) {
                return pty;
            }
        } catch (Exception | Error e) {
            pty.close();
            throw e;
        }
        pty.close();
        return null;
    }

    /** The thin client at {@code tty}, with a server of this test's own (started by the client). */
    private Process served(String tty, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--root", root.toString()));
        all.addAll(List.of(args));
        List<String> command = new ArrayList<>(MonitorProcess.javaCommand("io.isola.launcher.client.Client", all));
        List<String> server = new ArrayList<>(MonitorProcess.javaCommand(Main.class.getName(), List.of()));
        server.add(1, "-Disola.bundles=" + System.getProperty("isola.bundles"));
        command.add(1, "-Disola.bundles=" + System.getProperty("isola.bundles"));
        command.add(1, "-Disola.server.dir=" + root.resolve("srv"));
        command.add(1, "-Disola.server.command=" + String.join(" ", server));
        File terminal = new File(tty);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(terminal)
                .redirectOutput(terminal)
                .redirectError(terminal);
        builder.environment().remove("ISOLA_SERVER");
        return builder.start();
    }

    private Process cli(String tty, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--root", root.toString()));
        all.addAll(List.of(args));
        List<String> command = new ArrayList<>(MonitorProcess.javaCommand(Main.class.getName(), all));
        command.add(1, "-Disola.bundles=" + System.getProperty("isola.bundles"));
        File terminal = new File(tty);
        return new ProcessBuilder(command)
                .redirectInput(terminal)
                .redirectOutput(terminal)
                .redirectError(terminal)
                .start();
    }

    private static void type(OutputStream keys, String text) throws Exception {
        keys.write(text.getBytes(StandardCharsets.UTF_8));
        keys.flush();
    }

    /** Reads the terminal until {@code expected} appears (bounded by the test's timeout). */
    private static String readUntil(InputStream screen, String expected) throws Exception {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        byte[] buffer = new byte[1024];
        while (!seen.toString(StandardCharsets.UTF_8).contains(expected)) {
            int n = screen.read(buffer);
            if (n < 0) {
                break;
            }
            seen.write(buffer, 0, n);
        }
        String text = seen.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains(expected), "expected \"" + expected + "\" on the terminal, saw: " + text);
        return text;
    }
}
