package io.isola.ns.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.api.IsolaException;
import io.isola.api.Network;
import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;
import io.isola.spi.support.HostIdentity;
import io.isola.testing.HostState;
import io.isola.testing.OpenFds;
import io.isola.testing.Outcome;
import io.isola.testing.TestIsolator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code --net none} as root: lo is up and carries traffic although the CNI path holds no plugin at
 * all (the host brings it up from a thread joined to the container's namespace), the host's own lo
 * is untouched, and nothing stays behind: no thread, fd, mount or state directory, also when
 * bringing lo up fails.
 */
class LoopbackTest {

    /** Failing starts measured: a leak of a failing start shows this many times. */
    private static final int FAILING_STARTS = 3;

    private static final Path HOST_LO_FLAGS = Path.of("/sys/class/net/lo/flags");
    static Path root;
    static NetIsolator isolator;
    static Isola isola;

    @BeforeAll
    static void setUp() throws Exception {
        assumeTrue(
                HostIdentity.current().isRoot(),
                "the host brings lo up only as root (rootless: RootlessAndSettingsTest)");
        assumeTrue(
                Files.isExecutable(Path.of("/bin/busybox")),
                "busybox is not installed (apt-get install busybox-static)");
        assumeTrue(HostNet.which("ip"), "ip (iproute2) is not installed");
        root = Files.createDirectories(
                Path.of("/tmp", "isola-lo-test-" + ProcessHandle.current().pid()));
        Path noPlugins = Files.createDirectories(root.resolve("cni"));
        isolator = new NetIsolator(new NetIsolator.Settings(
                "isolo", "none", noPlugins.toString(), root.resolve("net.d"), root.resolve("run"), ""));
        isola = runtime(TestIsolator.plain("ipc", Namespace.IPC));
    }

    /** The network isolator, a mount and a UTS namespace (for the /etc files), and {@code other}. */
    private static Isola runtime(NamespaceIsolator other) {
        return Isola.builder()
                .isolators(List.of(
                        isolator,
                        other,
                        TestIsolator.plain("mount", Namespace.MOUNT),
                        TestIsolator.plain("uts", Namespace.UTS)))
                .build();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (isola != null) {
            isola.close();
        }
        if (root != null) {
            AttachmentStore.delete(root);
        }
    }

    @Test
    void loIsUpAndCarriesATcpRoundTripWithoutAnyCniPlugin() throws Exception {
        String hostLo = Files.readString(HOST_LO_FLAGS);
        Outcome outcome = Outcome.of(
                isola,
                ContainerSpec.builder(
                                "sh",
                                "-c",
                                "ip -o link show lo;"
                                        + " m=$(mktemp); echo hello-over-lo > $m; busybox nc -l -p 7777 & i=0;"
                                        + " while [ $i -lt 50 ]; do busybox nc -w 1 127.0.0.1 7777 < $m"
                                        + " && break; i=$((i+1)); sleep 0.1; done; wait; rm $m")
                        .with(Network.none())
                        .build());

        assertEquals(0, outcome.status().exitCode(), outcome.toString());
        List<String> lines = outcome.out().lines().toList();
        assertTrue(lines.get(0).startsWith("1: lo: <LOOPBACK,UP,LOWER_UP>"), outcome.toString());
        assertEquals("hello-over-lo", lines.get(lines.size() - 1), outcome.toString());
        assertEquals(hostLo, Files.readString(HOST_LO_FLAGS), "the host's lo changed");
    }

    @Test
    void twentyRunsLeaveNoThreadFdMountOrState() throws Exception {
        Outcome.of(
                isola,
                ContainerSpec.builder("true").with(Network.none()).build()); // warm-up: the runtime's own threads
        long threads = HostState.threads();
        OpenFds fds = OpenFds.now();
        for (int run = 0; run < 20; run++) {
            Outcome outcome = Outcome.of(
                    isola, ContainerSpec.builder("true").with(Network.none()).build());
            assertEquals(0, outcome.status().exitCode(), outcome.toString());
        }
        assertNothingLeft(threads, fds);
    }

    @Test
    void aFailureToBringLoUpFailsTheStartInOneLineAndLeavesNothing() throws Exception {
        // the IPC isolator's afterClone runs before the network's (kernel order): it kills the
        // child, whose network namespace is then gone when the host comes to bring lo up
        try (Isola killing = runtime(TestIsolator.afterClone("ipc", Namespace.IPC, child -> {
            ProcessHandle.of(child.pid()).ifPresent(ProcessHandle::destroyForcibly);
            // the plain path: the core's own (namespacePath) would fail here, in the IPC isolator
            Path netns = Path.of("/proc", Long.toString(child.pid()), "ns", "net");
            for (int i = 0; i < 200 && canOpen(netns); i++) {
                Thread.sleep(10);
            }
        }))) {
            assertThrows(
                    IsolaException.class,
                    () -> killing.start(
                            ContainerSpec.builder("true").with(Network.none()).build()));
            long threads = HostState.threads();
            OpenFds fds = OpenFds.now();
            for (int start = 0; start < FAILING_STARTS; start++) {
                IsolaException e = assertThrows(
                        IsolaException.class,
                        () -> killing.start(ContainerSpec.builder("true")
                                        .with(Network.none())
                                        .build())
                                .close());
                String message = e.getMessage();
                assertTrue(
                        message.startsWith(
                                "isolator \"net\" failed in after clone: cannot open the net namespace of the"
                                        + " container's process: /proc/"),
                        message);
                assertFalse(message.contains("\n"), message);
            }
            assertNothingLeft(threads, fds);
        }
    }

    /** This JVM's threads (/proc/self/task) whose network namespace is not the process's own. */
    private static List<String> threadsOutsideTheHostNetns() throws IOException {
        String host = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        List<String> outside = new ArrayList<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String netns =
                            Files.readSymbolicLink(task.resolve("ns/net")).toString();
                    if (!netns.equals(host)) {
                        outside.add(task.getFileName() + " "
                                + Files.readString(task.resolve("comm")).strip() + " " + netns);
                    }
                } catch (NoSuchFileException e) {
                    // the thread ended meanwhile
                }
            }
        }
        return outside;
    }

    private static boolean canOpen(Path namespace) {
        try (var in = Files.newInputStream(namespace)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Threads back to their count (a thread needs a moment to end), no fd, mount or state of ours. */
    private static void assertNothingLeft(long threads, OpenFds fds) throws Exception {
        for (int i = 0; i < 100 && HostState.threads() > threads; i++) {
            Thread.sleep(20);
        }
        assertTrue(HostState.threads() <= threads, "threads: " + threads + " -> " + HostState.threads());
        assertEquals(List.of(), fds.leaked());
        // the thread that brings lo up is reused, but must be back in the host's namespace
        assertEquals(List.of(), threadsOutsideTheHostNetns(), "threads still in a container's network namespace");
        try (var mounts = Files.lines(Path.of("/proc/self/mountinfo"))) {
            assertEquals(
                    List.of(),
                    mounts.filter(line -> line.contains(root.toString())).toList());
        }
        assertEquals(List.of(), new AttachmentStore(root.resolve("run")).dirs());
    }
}
