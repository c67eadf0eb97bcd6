package io.isola.internal.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.isola.api.IsolaException;
import io.isola.internal.nativ.Pidfd;
import io.isola.testing.RecordingSyscalls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The host's side of a container's terminal, against the recording seam: which descriptors it
 * makes, checks, sends and closes. The child's side (the steps) is pure data already; the real
 * terminal is shown by the launcher's run -t and console-socket tests.
 */
class ContainerPtyTest {

    private static final String SOCKET = "/run/engine/console.sock";

    /** The "child": this JVM, whose pidfd the seam only reads the pid of. */
    private Pidfd child;

    private String masterLink;

    @BeforeEach
    void openChild() {
        child = Pidfd.open(ProcessHandle.current().pid());
        masterLink = "/proc/" + child.pid() + "/fd/3"; // 0-2 and the kept 5, 6: the master is 3, the peer 4
    }

    @AfterEach
    void closeChild() {
        child.close();
    }

    @Test
    void theMasterIsSizedSentToTheSocketAndNoCopyIsKept() {
        RecordingSyscalls host = new RecordingSyscalls().listening(SOCKET).link(masterLink, "/dev/pts/ptmx");
        try (ContainerPty pty = ContainerPty.connect(Path.of(SOCKET), 80, 24, Duration.ofSeconds(10), host)) {
            pty.steps(List.of(5, 6));
            assertEquals(List.of(3, 4), pty.fds());
            pty.deliver(child);
            assertEquals(-1, pty.takeMaster());
        }
        assertEquals(
                List.of(
                        "socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC) = 100",
                        "connect(100, \"" + SOCKET + "\")",
                        "pidfd_getfd(" + child.pid() + ", 3) = 101",
                        "readlink(\"" + masterLink + "\") = /dev/pts/ptmx",
                        "ioctl(101, TIOCSWINSZ, 80x24)",
                        "sendmsg(100, \"/dev/ptmx\", SCM_RIGHTS 101)",
                        "close(101)",
                        "close(100)"),
                host.calls());
        assertEquals(Set.of(), host.openFds());
    }

    /** Something else at the predicted number (a step that left an fd open) is refused, and nothing is sent. */
    @Test
    void aDescriptorThatIsNotTheTerminalIsRefusedAndClosed() {
        RecordingSyscalls host = new RecordingSyscalls().listening(SOCKET).link(masterLink, "socket:[4242]");
        try (ContainerPty pty = ContainerPty.connect(Path.of(SOCKET), 0, 0, Duration.ofSeconds(10), host)) {
            pty.steps(List.of(5, 6));
            IsolaException e = assertThrows(IsolaException.class, () -> pty.deliver(child));
            assertEquals(
                    "the container's terminal was expected at fd 3 of process " + child.pid()
                            + ", which is socket:[4242]",
                    e.getMessage());
        }
        assertEquals(Set.of(), host.openFds());
        assertEquals(
                0, host.calls().stream().filter(c -> c.startsWith("sendmsg")).count());
    }

    @Test
    void aKeptMasterIsHandedOverOnceAndTheCallerOwnsIt() {
        RecordingSyscalls host = new RecordingSyscalls().link(masterLink, "/dev/pts/ptmx");
        int master;
        try (ContainerPty pty = ContainerPty.kept(0, 0, host)) {
            pty.steps(List.of(5, 6));
            pty.deliver(child);
            master = pty.takeMaster();
            assertEquals(-1, pty.takeMaster());
        }
        assertEquals(Set.of(master), host.openFds());
        assertEquals(0, host.calls().stream().filter(c -> c.startsWith("ioctl")).count(), "0 columns: not sized");
    }

    @Test
    void aSocketNobodyListensOnIsNamedAndItsDescriptorClosed() {
        RecordingSyscalls host = new RecordingSyscalls();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ContainerPty.connect(Path.of(SOCKET), 0, 0, Duration.ofSeconds(10), host));
        assertEquals(
                "console socket \"" + SOCKET + "\": cannot connect: connection refused"
                        + " (expected a listening AF_UNIX stream socket)",
                e.getMessage());
        assertEquals(Set.of(), host.openFds());
    }
}
