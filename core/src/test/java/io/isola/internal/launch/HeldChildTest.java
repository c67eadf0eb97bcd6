package io.isola.internal.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.isola.api.ContainerSpec;
import io.isola.api.ExitStatus;
import io.isola.api.Isola;
import io.isola.internal.nativ.Fds;
import io.isola.spi.Namespace;
import io.isola.testing.HostCommand;
import io.isola.testing.Outcome;
import io.isola.testing.TestIsolator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The namespaces an isolator's host side is given ({@link io.isola.spi.ClonedChild#namespacePath})
 * are the container's even when something is mounted on the plain {@code /proc/PID/ns} (a container
 * given a shared bind of the host's /proc can mount there: runc's CVE-2025-52881 class). The
 * attack here, in the runtime's own mount namespace: a tmpfs on the child's ns directory with
 * {@code net} a link to the runtime's own network namespace, so that CNI, lo and the pin would
 * have gone to the host's.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HeldChildTest {

    @Test
    void aMountOnTheChildsNsDirectoryDoesNotRedirectItsNamespaces() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>();
        TestIsolator net = TestIsolator.afterClone("net", Namespace.NET, child -> {
            Path ns = Path.of("/proc", Long.toString(child.pid()), "ns");
            HostCommand.run("mount", "-t", "tmpfs", "-o", "mode=755", "attack", ns.toString());
            try {
                HostCommand.run(
                        "ln", "-s", "/proc/self/ns/net", ns.resolve("net").toString());
                // what every user of the path does: open it (lo, the pin CNI gets, setns)
                int fd = Fds.open(child.namespacePath(Namespace.NET).toString(), Fds.O_RDONLY, 0);
                try {
                    seen.set(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd))
                            .toString());
                } finally {
                    Fds.closeQuietly(fd);
                }
            } finally {
                HostCommand.run(
                        "umount", "-l", ns.toString()); // the kernel drops it with the process's /proc entry too
            }
        });
        try (Isola isola = Isola.builder().isolators(List.of(net)).build()) {
            Outcome outcome = Outcome.of(
                    isola,
                    ContainerSpec.builder("readlink", "/proc/self/ns/net").build());
            assertEquals(ExitStatus.exited(0), outcome.status(), outcome.err());
            String containers = outcome.out().trim();
            assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString(), containers);
            assertEquals(containers, seen.get(), "the namespace the isolator was given");
        }
    }
}
