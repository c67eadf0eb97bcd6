package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.internal.nativ.FdInputStream;
import io.isola.internal.nativ.Pty;
import io.isola.lifecycle.MonitorProcess;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
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
 * bubblewrap's CVE-2017-5226, against the in-process CLI (no resident server, as embedders and
 * {@code ISOLA_SERVER=off} run it): a container left in its user's session has the user's terminal
 * as its controlling terminal, so it may open {@code /dev/tty} and push keys with {@code TIOCSTI}
 * into the input of the user's shell, which runs them on the host once the container ended. The
 * test's shell has a pty of the test's as its controlling terminal; a default container (no
 * {@code -i}, no {@code -t}) and an {@code exec} try the injection; the shell then counts the bytes
 * waiting in its terminal's input ({@code FIONREAD}).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ControllingTerminalIT {

    /** Pushes a command line into the controlling terminal's input, as a hostile image's program would. */
    private static final String INJECT = "open(T, '+<', '/dev/tty') or die \"no terminal: $!\\n\";"
            + " ioctl(T, 0x5412, $_) or die \"TIOCSTI: $!\\n\" for split //, \"echo INJECTED\\n\";"
            + " print \"injected\\n\"";

    /** Prints the bytes waiting in the terminal's input, then discards them (TCFLSH, TCIFLUSH). */
    private static final String PENDING = "ioctl(STDIN, 0x541B, $n = \"\\0\" x 4) or die \"FIONREAD: $!\";"
            + " print \"pending=\", unpack('i', $n), \"\\n\"; ioctl(STDIN, 0x540B, 0)";

    private static final String SCRIPT = """
            "$@" run --rm --network none -- perl -e "$INJECT"
            printf 'after run: '; perl -e "$PENDING"
            "$@" run -d --name victim --network none -- sleep 120 >/dev/null
            "$@" exec victim perl -e "$INJECT"
            printf 'after exec: '; perl -e "$PENDING"
            "$@" rm -f victim >/dev/null
            echo done
            """;

    @TempDir
    Path root;

    @Test
    void aContainerCannotTypeIntoItsUsersTerminal() throws Exception {
        RootOnly.require();
        assertTrue(Files.isExecutable(Path.of("/usr/bin/perl")), "the test's container runs the host's perl");
        List<String> command = new ArrayList<>(List.of("setsid", "--wait", "--ctty", "sh", "-c", SCRIPT, "sh"));
        List<String> cli = MonitorProcess.javaCommand(Main.class.getName(), List.of("--root", root.toString()));
        cli.add(1, "-Disola.bundles=" + System.getProperty("isola.bundles"));
        command.addAll(cli);
        try (Pty pty = Pty.open(80, 24);
                InputStream screen = new FdInputStream(Pty.dup(pty.master()))) {
            File terminal = new File(Files.readSymbolicLink(Path.of("/proc/self/fd", Integer.toString(pty.slave())))
                    .toString());
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectInput(terminal)
                    .redirectOutput(terminal)
                    .redirectError(terminal);
            builder.environment().put("INJECT", INJECT);
            builder.environment().put("PENDING", PENDING);
            Process shell = builder.start();
            try {
                String seen = readUntil(screen, "done");
                assertTrue(
                        seen.contains("after run: pending=0"),
                        "a default container typed into its user's terminal: " + seen);
                assertTrue(
                        seen.contains("after exec: pending=0"),
                        "an exec'd command typed into its user's terminal: " + seen);
                assertTrue(shell.waitFor(30, TimeUnit.SECONDS), "the shell did not end");
            } finally {
                shell.destroyForcibly();
            }
        }
    }

    /** Reads the terminal until {@code expected} appears or the shell's side closes (bounded by the timeout). */
    private static String readUntil(InputStream screen, String expected) {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        byte[] buffer = new byte[1024];
        try {
            while (!seen.toString(StandardCharsets.UTF_8).contains(expected)) {
                int n = screen.read(buffer);
                if (n < 0) {
                    break;
                }
                seen.write(buffer, 0, n);
            }
        } catch (java.io.IOException e) {
            // EIO: every slave closed, the shell is gone
        }
        return seen.toString(StandardCharsets.UTF_8);
    }
}
