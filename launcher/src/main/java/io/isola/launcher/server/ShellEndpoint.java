package io.isola.launcher.server;

import io.isola.internal.nativ.Fds;
import io.isola.launcher.client.ServerAddress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resident server's door for the shell client in {@code lib/shell-client.bash}: a TCP port on
 * 127.0.0.1, because bash reaches TCP ports ({@code /dev/tcp}) but not unix sockets, and a JVM
 * per command costs more than a whole {@code runc run}. bin/isola finds the port in
 * {@code <dir>/s-<key>.shell} beside the server's socket:
 *
 * <pre>
 * isola-shell-endpoint 1
 * PORT PROOF TOKEN
 * ISOLA_HOME                       the installation the server runs (bin/isola's)
 * NAME=VALUE or NAME               each of {@link ServerAddress#KEYED_ENV}, set or unset (or empty)
 * </pre>
 *
 * <p>The port is open to every local user and to containers that share the host's network, so:
 * the client proves it is this server's user by the TOKEN, which only that user can read (the
 * file is 0600 in the server's 0700 directory); the server answers it with PROOF, and only then
 * does the client send its command line, so that it never hands it to whatever listens on the
 * port of a server that died (a stale file's token is worth nothing: every server makes new
 * secrets, and while a server lives nobody else can listen on its port). A handshake has
 * {@link ShellClients#HANDSHAKE_MILLIS}. The server then checks that the pid the client names
 * belongs to its user, and takes that process's fds with pidfd_getfd, which the kernel allows
 * only for processes the server could ptrace.
 */
final class ShellEndpoint implements AutoCloseable {

    static final String FILE_MAGIC = "isola-shell-endpoint 1";
    private static final Logger LOG = LoggerFactory.getLogger(ShellEndpoint.class);
    private static final int BACKLOG = 128;

    private final Path file;
    private final int listener;
    private final String proof;
    private final byte[] token;

    private ShellEndpoint(Path file, int listener, String proof, byte[] token) {
        this.file = file;
        this.listener = listener;
        this.proof = proof;
        this.token = token;
    }

    /**
     * Listens for shell clients of {@code socket}'s server and publishes the endpoint; null when
     * a shell client could not tell this server is the one it wants (they then all go through
     * the JVM client), which is logged.
     */
    static ShellEndpoint open(Path socket, Map<String, String> env) throws IOException {
        String home = System.getProperty("isola.home");
        StringBuilder identity = new StringBuilder();
        identity.append(home).append('\n');
        for (String name : ServerAddress.KEYED_ENV) {
            String value = ServerAddress.keyedValue(env, name);
            identity.append(name).append(value == null ? "" : "=" + value).append('\n');
        }
        String unfit = unfitBecause(home, identity);
        if (unfit != null) {
            LOG.info("no shell endpoint: {}", unfit);
            return null;
        }
        SecureRandom random = new SecureRandom();
        String proof = secret(random);
        String token = secret(random);
        Path file = Path.of(socket.toString().replaceFirst("\\.sock$", "") + ".shell");
        int listener = Sockets.listenLoopback(BACKLOG);
        try {
            String content = FILE_MAGIC + "\n" + Sockets.port(listener) + " " + proof + " " + token + "\n" + identity;
            publish(file, content);
        } catch (IOException | RuntimeException e) {
            Fds.closeQuietly(listener);
            throw e;
        }
        return new ShellEndpoint(file, listener, proof, token.getBytes(StandardCharsets.US_ASCII));
    }

    /** Null when a shell client can tell this server by {@code identity}; else why it cannot. */
    private static String unfitBecause(String home, CharSequence identity) {
        if (home == null) {
            return "no isola.home";
        }
        if (System.getProperty("isola.conf") != null || System.getProperty("isola.bundles") != null) {
            return "isola.conf or isola.bundles set as properties, which bin/isola cannot see";
        }
        if (identity.chars().filter(c -> c == '\n').count() != 1 + ServerAddress.KEYED_ENV.size()) {
            return "a line break in the home or the environment";
        }
        return null;
    }

    /** Written beside and renamed: a client reads the old file or the new one, never half of one. */
    private static void publish(Path file, String content) throws IOException {
        Path temporary = file.resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid());
        Files.deleteIfExists(temporary);
        try (SeekableByteChannel out = Files.newByteChannel(temporary, Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            out.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static String secret(SecureRandom random) {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    int listener() {
        return listener;
    }

    /** What the server says first, so that the client knows it reached this server. */
    String hello() {
        return "isola-server " + proof + "\n";
    }

    /** Whether {@code candidate} is the token (compared in constant time). */
    boolean admits(String candidate) {
        return MessageDigest.isEqual(token, candidate.getBytes(StandardCharsets.US_ASCII));
    }

    /** Unpublishes, then stops listening: a shell client then finds no endpoint, or a refused port. */
    @Override
    public void close() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("cannot remove {}: {}", file, e.toString());
        } finally {
            Fds.closeQuietly(listener);
        }
    }
}
