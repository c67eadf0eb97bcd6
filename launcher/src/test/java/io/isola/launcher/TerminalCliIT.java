package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.internal.nativ.FdInputStream;
import io.isola.internal.nativ.FdOutputStream;
import io.isola.internal.nativ.Pty;
import io.isola.lifecycle.MonitorProcess;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
        RootOnly.require();
        try (Pty pty = Pty.open(80, 24)) {
            String slave = Files.readSymbolicLink(Path.of("/proc/self/fd", Integer.toString(pty.slave()))).toString();
            Process cli = cli(slave, "run", "-it", "--hostname", "tty", "--", "sh");
            InputStream screen = new FdInputStream(Pty.dup(pty.master()));
            OutputStream keys = new FdOutputStream(Pty.dup(pty.master()));
            try {
                readUntil(screen, "# ");
                // test -t, not tty(1): the terminal is the host's, so the container's own /dev/pts has no name for it
                type(keys, "test -t 0 && echo is-a-tty; stty size; hostname\n");
                String first = readUntil(screen, "tty\r\n# ");
                assertTrue(first.contains("is-a-tty\r\n"), first);
                assertTrue(first.contains("24 80"), first);

                Pty.resize(pty.master(), 132, 43);
                new ProcessBuilder("kill", "-WINCH", Long.toString(cli.pid())).start().waitFor();
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
        }
    }

    private Process cli(String tty, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--root", root.toString()));
        all.addAll(List.of(args));
        List<String> command = new ArrayList<>(MonitorProcess.javaCommand(Main.class.getName(), all));
        command.add(1, "-Disola.bundles=" + System.getProperty("isola.bundles"));
        File terminal = new File(tty);
        return new ProcessBuilder(command).redirectInput(terminal).redirectOutput(terminal).redirectError(terminal).start();
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
