package io.isola.launcher.client;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The client's training run for its class-data archive (bin/isola-cds): one round trip with a
 * stand-in server in this JVM, so the archive holds the classes a real command loads, without
 * starting the real server at build time.
 */
final class Training {

    private Training() {}

    static void run() {
        try {
            Path dir = Files.createTempDirectory("isola-client-training");
            Path socket = dir.resolve("s.sock");
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(socket));
                ServerAddress address = ServerAddress.of(ServerAddress.currentUid(), System.getenv());
                address.unfitBecause(ServerAddress.currentUid());
                // ServerStarter's class, without making the server directory: a class the archive
                // lacks comes from the jar, whose opening costs a client ~25 ms
                ServerStarter.log(address);
                Verbs.served(new String[] {"run", "true"});
                try (UnixClientSocket client = UnixClientSocket.connect(socket)) {
                    try (SocketChannel accepted = server.accept()) {
                        // the very calls and types of Client.session(), so that the archive holds their classes
                        client.sendFds(0, 1, 2);
                        client.write(Wire.request(ProcessHandle.current().pid(), System.console() != null,
                                System.getProperty("user.dir"), List.of("run", "true"), System.getenv()));
                        accepted.write(ByteBuffer.allocate(5).put(Wire.EXIT).putInt(0).flip());
                        ByteBuffer frame = ByteBuffer.allocate(5);
                        client.readFully(frame.array());
                        new Client(new String[0]).forwardSignals(); // its handlers only write when a signal comes
                    }
                }
            } finally {
                Files.deleteIfExists(socket);
                Files.deleteIfExists(dir);
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("isola client training: " + e);
        }
    }
}
