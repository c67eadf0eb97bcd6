package io.isola.launcher.attach;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The attach protocol between {@code isola attach} and the {@link ConsoleHolder} of a detached
 * container, on the unix socket {@link AttachSocket#NAME} in its state directory. Every message is
 * a frame: a type byte, a length (int, big-endian, at most {@link #MAX_PAYLOAD}), the payload.
 *
 * <pre>
 * attach -> holder   HELLO   flags (1: stdin, 2: the output since the start too), columns, rows (0: no terminal)
 * holder -> attach   READY   tty, stdin kept (1 or 0)
 * attach -> holder   STDIN   keys or bytes for the container's stdin
 * attach -> holder   RESIZE  columns, rows (ints)
 * holder -> attach   STDOUT, STDERR   the container's output
 * holder -> attach   EXIT    the container's exit code (int); the holder then closes the connection
 * </pre>
 *
 * Numbers are ints, big-endian.
 * Detaching is the attach closing its end: the holder drops it, the container runs on. Socket
 * channels are read and written directly (not through {@code Channels.newInputStream}, whose reads
 * hold the lock that its writes need).
 */
final class AttachWire {

    static final byte HELLO = 'H', READY = 'R', STDIN = 'I', RESIZE = 'W', STDOUT = 'O', STDERR = 'E', EXIT = 'X';
    static final int FLAG_STDIN = 1, FLAG_SINCE_START = 2;
    static final int MAX_PAYLOAD = 64 * 1024;

    /** One frame read. */
    record Frame(byte type, byte[] payload) {
        int intAt(int offset) {
            return ByteBuffer.wrap(payload).getInt(offset);
        }
    }

    private AttachWire() {}

    static void write(SocketChannel channel, byte type, byte[] payload, int offset, int length) throws IOException {
        ByteBuffer frame = ByteBuffer.allocate(5 + length)
                .put(type)
                .putInt(length)
                .put(payload, offset, length)
                .flip();
        synchronized (channel) { // frames from several threads never interleave
            while (frame.hasRemaining()) {
                channel.write(frame);
            }
        }
    }

    static void write(SocketChannel channel, byte type, int... values) throws IOException {
        ByteBuffer payload = ByteBuffer.allocate(4 * values.length);
        for (int value : values) {
            payload.putInt(value);
        }
        write(channel, type, payload.array(), 0, payload.capacity());
    }

    /** The next frame; throws EOFException at the end of the stream. */
    static Frame read(SocketChannel channel) throws IOException {
        ByteBuffer header = fill(channel, ByteBuffer.allocate(5));
        byte type = header.get(0);
        int length = header.getInt(1);
        if (length < 0 || length > MAX_PAYLOAD) {
            throw new IOException("attach frame of " + length + " bytes; at most " + MAX_PAYLOAD + " are allowed");
        }
        return new Frame(type, fill(channel, ByteBuffer.allocate(length)).array());
    }

    private static ByteBuffer fill(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException("the other end of the attach closed");
            }
        }
        return buffer;
    }
}
