package io.isola.ns.mount;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.spi.support.ContainerTrees;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The host's bound sockets that the sandbox covers: below a bound directory, where they really lie. */
class HostSocketsTest {

    @Test
    void aSocketBelowABoundDirectoryIsCoveredByItsRealPath() throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/var/tmp"), "isola-sockets-");
        try (ServerSocketChannel daemon = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            Path socket = dir.resolve("daemon.sock");
            daemon.bind(UnixDomainSocketAddress.of(socket));
            Path link = Files.createSymbolicLink(dir.resolve("link"), dir);
            try (ServerSocketChannel linked = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                linked.bind(UnixDomainSocketAddress.of(link.resolve("linked.sock")));

                List<String> covered = HostSockets.below(Set.of("var"));
                assertTrue(covered.contains(socket.toString()), covered::toString);
                // bound through a link: covered where it lies (the child would follow the link)
                assertTrue(covered.contains(dir.resolve("linked.sock").toString()), covered::toString);
                assertFalse(covered.contains(link.resolve("linked.sock").toString()), covered::toString);
                assertFalse(HostSockets.below(Set.of("usr")).contains(socket.toString()), "/var is not bound here");
            }
        } finally {
            ContainerTrees.remove(dir);
        }
    }
}
