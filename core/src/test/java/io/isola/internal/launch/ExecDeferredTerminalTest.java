package io.isola.internal.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.ConsoleSocket;
import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.DeferredStart;
import io.isola.api.ExecFailedException;
import io.isola.api.ExitStatus;
import io.isola.api.Isola;
import io.isola.api.IsolaException;
import io.isola.api.Join;
import io.isola.api.Stdio;
import io.isola.api.Terminal;
import io.isola.internal.nativ.Pidfd;
import io.isola.lifecycle.ProcessIdentity;
import io.isola.spi.Namespace;
import io.isola.spi.Phase;
import io.isola.spi.Steps;
import io.isola.testing.HostState;
import io.isola.testing.Outcome;
import io.isola.testing.PidSquatter;
import io.isola.testing.TestIsolator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** exec by setns + spawn, the create/start split through FIFOs, and pseudo-terminals, on the real kernel. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExecDeferredTerminalTest {

    @TempDir
    Path dir;

    private Isola isola;

    @BeforeEach
    void setUp() {
        isola = Isola.builder()
                .isolators(List.of(
                        TestIsolator.plain("pid", Namespace.PID),
                        TestIsolator.withSteps("uts", Namespace.UTS, s -> s.add(Phase.NAMES, Steps.sethostname("box"))),
                        TestIsolator.plain("ipc", Namespace.IPC),
                        TestIsolator.withSteps(
                                "mount",
                                Namespace.MOUNT,
                                s -> s.add(
                                        Phase.FILESYSTEM,
                                        Steps.mount("mount proc on /proc", "proc", "/proc", "proc", 0, null)))))
                .build();
    }

    @AfterEach
    void tearDown() {
        isola.close();
    }

    @Test
    void execJoinsTheContainersNamespacesAndLandsInItsPidNamespace() throws Exception {
        try (Container box = isola.start(
                ContainerSpec.builder("sleep", "30").stdout(Stdio.NULL).build())) {
            Outcome seen = Outcome.of(
                    isola,
                    ContainerSpec.builder(
                                    "sh",
                                    "-c",
                                    "hostname; echo $$; readlink /proc/self/ns/pid /proc/self/ns/mnt; ps -o pid,args")
                            .with(new Join(box.pid()))
                            .build());

            assertEquals(0, seen.status().exitCode(), seen.err());
            List<String> lines = seen.out().lines().toList();
            assertEquals("box", lines.get(0));
            assertNotEquals("1", lines.get(1), "exec'd process is not the container's init");
            assertTrue(
                    Integer.parseInt(lines.get(1)) < 100,
                    "pid " + lines.get(1) + " is not in the container's PID namespace");
            assertEquals(
                    Files.readSymbolicLink(Path.of("/proc", Long.toString(box.pid()), "ns/pid"))
                            .toString(),
                    lines.get(2));
            assertEquals(
                    Files.readSymbolicLink(Path.of("/proc", Long.toString(box.pid()), "ns/mnt"))
                            .toString(),
                    lines.get(3));
            assertTrue(seen.out().contains("sleep 30"), seen.out());
        }
    }

    @Test
    void anExecForAContainerThatEndedDoesNotJoinTheHostProcessThatTookItsPid() throws Exception {
        Join join;
        try (Container box = isola.start(
                ContainerSpec.builder("sleep", "30").stdout(Stdio.NULL).build())) {
            // as exec builds it from the container's state, while it runs
            join = new Join(box.pid(), ProcessIdentity.of(box.pid()).startTime());
            box.kill(9);
            assertEquals(
                    ExitStatus.killed(9), box.waitFor(Duration.ofSeconds(10)).orElseThrow());
        }
        // A start time counts clock ticks (10 ms): a process that took the pid within the tick the
        // container started in would carry its very start time. That is the check's limit (runc's
        // too, where it has no pidfd); the attack this test plays comes later.
        Thread.sleep(20);
        Process squatter = PidSquatter.take(join.pid());
        try {
            // the old exec joined whatever had the pid: this host process's namespaces, i.e. none,
            // and ran the command on the host as root
            IsolaException refused = assertThrows(
                    IsolaException.class,
                    () -> Outcome.of(
                            isola, ContainerSpec.builder("true").with(join).build()));
            assertTrue(refused.getMessage().contains("process " + join.pid() + " has ended"), refused.getMessage());
            assertTrue(squatter.isAlive(), "the host process was left alone");
        } finally {
            squatter.destroyForcibly();
            squatter.waitFor();
        }
    }

    /**
     * A mount on the container's {@code /proc/PID/ns} in the runtime's mount namespace (a container
     * given a shared bind of the host's /proc can make one), its links reading as the runtime's own
     * namespaces: the old exec compared them there, saw nothing to join, and ran the command in
     * the host's namespaces.
     */
    @Test
    void aMountOnTheContainersNsDirectoryDoesNotKeepTheExecOnTheHost() throws Exception {
        try (Container box = isola.start(
                ContainerSpec.builder("sleep", "30").stdout(Stdio.NULL).build())) {
            Path ns = Path.of("/proc", Long.toString(box.pid()), "ns");
            String boxMounts = Files.readSymbolicLink(ns.resolve("mnt")).toString();
            run("mount", "-t", "tmpfs", "-o", "mode=755", "attack", ns.toString());
            try {
                for (String type : List.of("user", "pid", "uts", "ipc", "net", "cgroup", "time", "mnt")) {
                    // each link reads as the runtime's own namespace ("mnt:[N]"), and leads to it
                    Path own = Path.of(
                            "/proc", Long.toString(ProcessHandle.current().pid()), "ns", type);
                    String name = Files.readSymbolicLink(own).toString();
                    Files.createSymbolicLink(ns.resolve(type), Path.of(name));
                    Files.createSymbolicLink(ns.resolve(name), own);
                }
                Outcome seen = Outcome.of(
                        isola,
                        ContainerSpec.builder("readlink", "/proc/self/ns/mnt")
                                .with(new Join(
                                        box.pid(), ProcessIdentity.of(box.pid()).startTime()))
                                .build());
                assertEquals(0, seen.status().exitCode(), seen.err());
                assertEquals(boxMounts, seen.out().trim(), "the exec is in the container's mount namespace");
            } finally {
                run("umount", "-l", ns.toString());
            }
        }
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0, command[0] + ": " + out);
    }

    @Test
    void execOfAMissingCommandFailsAndLeavesNoProcess() throws Exception {
        try (Container box = isola.start(ContainerSpec.builder("sleep", "30").build())) {
            assertThrows(
                    ExecFailedException.class,
                    () -> isola.start(ContainerSpec.builder("/no/such/command")
                            .with(new Join(box.pid()))
                            .build()));
            assertTrue(HostState.alive(box.pid()));
        }
    }

    /**
     * An engine's console socket whose listener never accepts (its backlog full): the connect
     * waited in the kernel for ever, and with it the runtime; now for the start timeout.
     */
    @Test
    void aConsoleSocketThatNeverAcceptsFailsTheStartAtTheStartTimeout() throws Exception {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.resolve("console.sock"));
        List<SocketChannel> queued = new ArrayList<>();
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(address, 1);
            boolean full = false;
            for (int i = 0; i < 8 && !full; i++) { // connections it never accepts, until one would wait
                SocketChannel waiting = SocketChannel.open(StandardProtocolFamily.UNIX);
                queued.add(waiting);
                waiting.configureBlocking(false);
                try {
                    full = !waiting.connect(address);
                } catch (IOException e) {
                    full = true; // EAGAIN
                }
            }
            assertTrue(full, "the listener's backlog filled");
            IllegalArgumentException refused = assertThrows(
                    IllegalArgumentException.class,
                    () -> isola.start(ContainerSpec.builder("true")
                            .with(new ConsoleSocket(address.getPath()))
                            .startTimeout(Duration.ofSeconds(1))
                            .build()));
            assertEquals(
                    "console socket \"" + address.getPath()
                            + "\": its listener accepted no connection within 1 s (the start timeout)",
                    refused.getMessage());
        } finally {
            for (SocketChannel waiting : queued) {
                waiting.close();
            }
        }
    }

    @Test
    void aCreatedContainerWaitsAtItsGateUntilStartedFromTheFifo() throws Exception {
        Path out = dir.resolve("out");
        Container created = isola.start(ContainerSpec.builder("sh", "-c", "echo started as $$; hostname")
                .stdout(Stdio.file(out))
                .with(new DeferredStart(dir))
                .build());
        try (Pidfd process = Pidfd.open(created.pid())) {
            created.close(); // a created container survives its handle
            Thread.sleep(200);
            assertTrue(HostState.alive(created.pid()), "the created process is gone");
            assertEquals("", Files.readString(out), "the command ran before start");

            Isola.startCreated(dir, Duration.ofSeconds(10));

            ExitStatus status = process.awaitExit(Duration.ofSeconds(10));
            assertEquals(ExitStatus.exited(0), status);
            assertEquals("started as 1\nbox\n", Files.readString(out));
            assertThrows(IsolaException.class, () -> Isola.startCreated(dir, Duration.ofSeconds(2)));
        }
    }

    @Test
    void aTerminalIsTheControllingTerminalAndItsSizeChangesAreSeen() throws Exception {
        try (Container box = isola.start(ContainerSpec.builder("sh", "-c", "stty size; tty; read line; stty size")
                .with(new Terminal(100, 30))
                .build())) {
            InputStream in = box.stdout();
            assertEquals("30 100", readLine(in));
            String name = readLine(in); // ttyname(3) finds it: opened in the container's /dev
            assertTrue(name.startsWith("/dev/pts/"), name);
            box.resizeTerminal(120, 40);
            box.stdin().write("go\n".getBytes(StandardCharsets.UTF_8));
            box.stdin().flush();
            assertEquals("go", readLine(in)); // the terminal echoes
            assertEquals("40 120", readLine(in));
            assertEquals(
                    ExitStatus.exited(0), box.waitFor(Duration.ofSeconds(10)).orElseThrow());
        }
    }

    private static String readLine(InputStream in) throws Exception {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }
}
