package io.isola.launcher.attach;

import io.isola.internal.nativ.Fds;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * Where a detached container's {@link ConsoleHolder} listens: {@code attach.sock} in the
 * container's state directory, which is its owner's and mode 0700. A state root can be deeper
 * than the 107 bytes an AF_UNIX path may take, so the socket is bound and reached through
 * {@code /proc/self/fd/N/}, N an O_PATH descriptor of the directory (as conmon reaches its own),
 * opened without following a link.
 */
public final class AttachSocket {

    static final String NAME = "attach.sock";

    private AttachSocket() {}

    /** Whether the container whose state directory is {@code stateDir} has a holder to attach to. */
    public static boolean exists(Path stateDir) {
        return Files.exists(stateDir.resolve(NAME), LinkOption.NOFOLLOW_LINKS);
    }

    /** A listening socket at {@code stateDir}/attach.sock (one left by a killed holder is replaced). */
    static ServerSocketChannel listen(Path stateDir) throws IOException {
        Files.deleteIfExists(stateDir.resolve(NAME));
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            int dir = Fds.open(stateDir.toString(), Fds.O_PATH | Fds.O_DIRECTORY | Fds.O_NOFOLLOW, 0);
            try {
                server.bind(UnixDomainSocketAddress.of("/proc/self/fd/" + dir + "/" + NAME), 8);
            } finally {
                Fds.closeQuietly(dir);
            }
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** Connects to the holder of the container whose state directory is {@code stateDir}. */
    static SocketChannel connect(Path stateDir) throws IOException {
        int dir = Fds.open(stateDir.toString(), Fds.O_PATH | Fds.O_DIRECTORY | Fds.O_NOFOLLOW, 0);
        try {
            return SocketChannel.open(UnixDomainSocketAddress.of("/proc/self/fd/" + dir + "/" + NAME));
        } finally {
            Fds.closeQuietly(dir);
        }
    }

    /**
     * Whether the peer of {@code channel} may attach: the kernel's record of its uid (SO_PEERCRED,
     * taken at connect) is the socket's owner's, who runs the holder, or root's.
     */
    static boolean mayAttach(SocketChannel channel, UserPrincipal owner, UserPrincipal root) throws IOException {
        UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
        return peer.user().equals(owner) || peer.user().equals(root);
    }
}
