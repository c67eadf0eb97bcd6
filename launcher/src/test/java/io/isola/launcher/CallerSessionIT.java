package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.internal.nativ.FdInputStream;
import io.isola.internal.nativ.Pty;
import io.isola.lifecycle.MonitorProcess;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
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
 * What a container must not take from the session of whoever started it, attacked through the
 * in-process CLI (no resident server, as {@code ISOLA_SERVER=off} and embedders run it):
 * <ul>
 *   <li>its controlling terminal (bubblewrap's CVE-2017-5226): a process left in the caller's
 *       session opens {@code /dev/tty} and pushes keys with {@code TIOCSTI} into the input of the
 *       caller's shell, which runs them on the host once the container ended;
 *   <li>its session keyring (runc joins a new one for every container and exec): a key the
 *       caller's session holds (a Kerberos ticket, an ecryptfs key) is the container's to read
 *       where its seccomp filter allows keyctl, as an OCI bundle's or an unconfined pod's may.
 * </ul>
 * The test's shell has a pty of the test's as its controlling terminal and a session keyring of
 * its own holding a key; a container and an {@code exec} try both; the shell then counts the bytes
 * waiting in its terminal's input ({@code FIONREAD}).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CallerSessionIT {

    private static final boolean X86_64 = !System.getProperty("os.arch").equals("aarch64");
    private static final int KEYCTL = X86_64 ? 250 : 219, ADD_KEY = X86_64 ? 248 : 217;

    /** A hostile program: types a command line into the controlling terminal, reads the session keyring's key. */
    private static final String ATTACK = ("if (open(T, '+<', '/dev/tty')) {"
                    + " ioctl(T, 0x5412, $_) or print \"TIOCSTI: $!\\n\" for split //, \"echo INJECTED\\n\" }"
                    + " else { print \"no terminal: $!\\n\" }"
                    + " my ($t, $d) = ('user', 'isola-secret'); my $id = syscall(KEYCTL, 10, -3, $t, $d, 0);"
                    + " if ($id < 0) { print \"keyring: no secret ($!)\\n\" }"
                    + " else { my $b = \"\\0\" x 64; my $n = syscall(KEYCTL, 11, $id, $b, 64);"
                    + " print 'keyring: read ', substr($b, 0, $n), \"\\n\" }")
            .replace("KEYCTL", Integer.toString(KEYCTL));

    /** Prints the bytes waiting in the terminal's input, then discards them (TCFLSH, TCIFLUSH). */
    private static final String PENDING = "ioctl(STDIN, 0x541B, $n = \"\\0\" x 4) or die \"FIONREAD: $!\";"
            + " print \"pending=\", unpack('i', $n), \"\\n\"; ioctl(STDIN, 0x540B, 0)";

    /** A session keyring of the shell's own (not the machine's user-session one), holding the key. */
    private static final String KEYRING = ("my ($n, $t, $d, $p) = ('isola-test', 'user', 'isola-secret', 'hunter2');"
                    + " syscall(KEYCTL, 1, $n) >= 0 or die \"join a session keyring: $!\";"
                    + " syscall(ADD_KEY, $t, $d, $p, 7, -3) >= 0 or die \"add_key: $!\"; exec @ARGV")
            .replace("ADD_KEY", Integer.toString(ADD_KEY))
            .replace("KEYCTL", Integer.toString(KEYCTL));

    private static final String SCRIPT = """
            unconfined='--security-opt seccomp=unconfined'
            "$@" run --rm --network none $unconfined -- perl -e "$ATTACK"
            printf 'after run: '; perl -e "$PENDING"
            "$@" run -d --name victim --network none $unconfined -- sleep 120 >/dev/null
            "$@" exec victim perl -e "$ATTACK"
            printf 'after exec: '; perl -e "$PENDING"
            "$@" rm -f victim >/dev/null
            echo done
            """;

    @TempDir
    Path root;

    @Test
    void aContainerTakesNeitherItsCallersTerminalNorItsKeyring() throws Exception {
        RootOnly.require();
        assertTrue(Files.isExecutable(Path.of("/usr/bin/perl")), "the test's container runs the host's perl");
        List<String> command =
                new ArrayList<>(List.of("perl", "-e", KEYRING, "setsid", "--wait", "--ctty", "sh", "-c", SCRIPT, "sh"));
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
            builder.environment().put("ATTACK", ATTACK);
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
                // the exec'd command runs under the default filter, which denies keyctl (EPERM):
                // the container's own, unconfined, shows the keyring it was given (ENOKEY: found none)
                assertTrue(
                        !seen.contains("hunter2") && seen.contains("keyring: no secret (Required key not available)"),
                        "a container read its caller's session keyring: " + seen);
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
        } catch (IOException e) {
            // EIO: every slave closed, the shell is gone
        }
        return seen.toString(StandardCharsets.UTF_8);
    }
}
