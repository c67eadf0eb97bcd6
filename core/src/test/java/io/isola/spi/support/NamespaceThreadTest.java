package io.isola.spi.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.spi.Namespace;
import io.isola.testing.HostState;
import io.isola.testing.OpenFds;
import io.isola.testing.Outcome;
import io.isola.testing.TestIsolator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Host work in a container's namespace ({@link NamespaceThread}) and lo brought up with it
 * ({@link Loopback}), against the real kernel: the work sees the container's namespace and the
 * calling thread never does, failures name the namespace and the errno, and no thread or fd stays.
 */
class NamespaceThreadTest {

    @BeforeAll
    static void root() {
        assumeTrue(HostIdentity.current().isRoot(), "joining a container's namespace needs root on the host");
        assumeTrue(
                Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip")),
                "ip (iproute2) is not installed");
    }

    private static Outcome inNetworkNamespace(String script, TestIsolator.AfterClone afterClone) throws Exception {
        try (Isola isola = Isola.builder()
                .isolators(List.of(TestIsolator.afterClone("net", Namespace.NET, afterClone)))
                .build()) {
            Outcome outcome =
                    Outcome.of(isola, ContainerSpec.builder("sh", "-c", script).build());
            assertEquals(0, outcome.status().exitCode(), outcome.toString());
            return outcome;
        }
    }

    @Test
    void theWorkRunsInTheChildsNamespaceAndTheCallerStaysOut() throws Exception {
        String host = HostState.namespaceOf("net");
        AtomicReference<String> seen = new AtomicReference<>();
        AtomicReference<String> child = new AtomicReference<>();
        inNetworkNamespace("true", c -> {
            child.set(Files.readSymbolicLink(c.namespacePath(Namespace.NET)).toString());
            NamespaceThread.run(
                    c.namespacePath(Namespace.NET),
                    Namespace.NET,
                    () -> seen.set(Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net"))
                            .toString()));
        });
        assertEquals(child.get(), seen.get());
        assertNotEquals(host, seen.get());
        assertEquals(
                host,
                Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString());
    }

    @Test
    void loopbackBringsTheContainersLoUpAndOnlyThat() throws Exception {
        String hostLo = Files.readString(Path.of("/sys/class/net/lo/flags"));
        String down = inNetworkNamespace("ip -o link show lo", c -> {}).out();
        String up = inNetworkNamespace("ip -o link show lo", c -> Loopback.up(c.namespacePath(Namespace.NET)))
                .out();
        assertTrue(down.startsWith("1: lo: <LOOPBACK>"), "a new namespace's lo is down: " + down);
        assertTrue(up.startsWith("1: lo: <LOOPBACK,UP,LOWER_UP>"), up);
        assertEquals(hostLo, Files.readString(Path.of("/sys/class/net/lo/flags")));
    }

    @Test
    void failuresNameTheNamespaceAndTheErrno() {
        IOException notNet = assertThrows(IOException.class, () -> Loopback.up(Path.of("/proc/self/ns/uts")));
        assertTrue(
                notNet.getMessage()
                        .startsWith("cannot bring lo up in the container's network namespace: cannot join the net"
                                + " namespace /proc/self/ns/uts: EINVAL"),
                notNet.getMessage());
        IOException missing = assertThrows(
                IOException.class, () -> NamespaceThread.run(Path.of("/proc/0/ns/net"), Namespace.NET, () -> {}));
        assertTrue(
                missing.getMessage().startsWith("cannot open the net namespace /proc/0/ns/net: "),
                missing.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> NamespaceThread.run(Path.of("/proc/self/ns/user"), Namespace.USER, () -> {}));
        IOException failed = assertThrows(
                IOException.class,
                () -> NamespaceThread.run(Path.of("/proc/self/ns/net"), Namespace.NET, () -> {
                    throw new IllegalStateException("the work failed");
                }));
        assertEquals("the work failed", failed.getMessage());
    }

    @Test
    void noThreadOrFdStays() throws Exception {
        Loopback.up(Path.of("/proc/self/ns/net")); // warm-up; the host's lo is up already, so nothing changes
        long threads = HostState.threads();
        OpenFds fds = OpenFds.now();
        for (int i = 0; i < 50; i++) {
            Loopback.up(Path.of("/proc/self/ns/net"));
        }
        for (int i = 0; i < 100 && HostState.threads() > threads; i++) {
            Thread.sleep(20);
        }
        assertTrue(HostState.threads() <= threads, "threads: " + threads + " -> " + HostState.threads());
        assertEquals(List.of(), fds.leaked());
    }
}
