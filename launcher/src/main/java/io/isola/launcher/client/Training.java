package io.isola.launcher.client;

import com.kenai.jffi.internal.StubLoader;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The client's training run for its class-data archive (bin/isola-cds): one round trip with a
 * stand-in server in this JVM, so the archive holds the classes a real command loads, without
 * starting the real server at build time.
 */
final class Training {

    private Training() {}

    static void run() {
        String nativeDir = System.getenv("ISOLA_CLIENT_NATIVE_DIR");
        if (nativeDir != null) {
            unpackJffi(Path.of(nativeDir));
        }
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
                        client.write(Wire.request(
                                ProcessHandle.current().pid(),
                                System.console() != null,
                                System.getProperty("user.dir"),
                                List.of("run", "true"),
                                System.getenv()));
                        accepted.write(
                                ByteBuffer.allocate(5).put(Wire.EXIT).putInt(0).flip());
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

    /**
     * Puts jffi's native stub where bin/isola points the client ({@code -Djffi.boot.library.path}):
     * else jffi unpacks it from its jar into a temporary file at every start, ~50 ms of a client's.
     */
    private static void unpackJffi(Path dir) {
        String arch = System.getProperty("os.arch").equals("amd64") ? "x86_64" : System.getProperty("os.arch");
        String name = "libjffi-" + StubLoader.VERSION_MAJOR + "." + StubLoader.VERSION_MINOR + ".so";
        try (InputStream in = Training.class.getClassLoader().getResourceAsStream("jni/" + arch + "-Linux/" + name)) {
            if (in == null) {
                System.err.println("isola client training: no jffi stub for " + arch
                        + "-Linux; the client unpacks it at every start");
                return;
            }
            Files.createDirectories(dir);
            Path temporary = Files.createTempFile(dir, name, ".tmp");
            Files.copy(in, temporary, StandardCopyOption.REPLACE_EXISTING);
            Files.move(
                    temporary, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            System.err.println("isola client training: " + e);
        }
    }
}
