package io.isola.launcher.server;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * How one kind of client speaks to the server: the JVM client's binary frames ({@link JvmClients})
 * or the shell client's lines ({@link ShellClients}). A {@link Session} runs the command the same
 * way for both.
 */
interface ClientProtocol {

    /**
     * Checks the peer on connection {@code fd} and reads its request; null when the peer is
     * refused (already answered, if it gets an answer, and logged).
     */
    ClientRequest accept(int fd, long uid, DataInputStream in, OutputStream reply) throws IOException;

    /** Sends one of {@link io.isola.launcher.client.Wire}'s frame types with its value. */
    void frame(OutputStream reply, byte type, int value) throws IOException;

    /** The number of the next signal the client forwards; an IOException once it has gone. */
    int nextSignal(DataInputStream in) throws IOException;
}
