package io.isola.launcher.server;

import java.io.IOException;

/**
 * One client's channel to the server, in either client's protocol: the JVM client's unix socket
 * ({@link JvmConnection}) or the shell client's pair of FIFOs ({@link ShellConnection}). A
 * {@link Session} runs the command the same way for both.
 */
interface ClientConnection extends AutoCloseable {

    /**
     * Checks the peer against what the kernel says of it, reads its request and takes its stdin,
     * stdout and stderr; null when the peer is refused (already answered, if it gets an answer,
     * and logged through {@code refusals}).
     */
    ClientRequest accept(long uid, PeerLog refusals) throws IOException;

    /** Sends one of {@link io.isola.launcher.client.Wire}'s frame types with its value. */
    void frame(byte type, int value) throws IOException;

    /** The number of the next signal the client forwards; an IOException once it has gone. */
    int nextSignal() throws IOException;

    /** Ends a {@link #nextSignal} under way and releases the channel. */
    @Override
    void close();
}
