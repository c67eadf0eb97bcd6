package io.isola.internal.nativ;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/** Writes a raw file descriptor, which it owns and closes. */
public final class FdOutputStream extends OutputStream {

    private final Native n = Native.get();
    private int fd;

    public FdOutputStream(int fd) {
        this.fd = fd;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] buffer, int offset, int length) throws IOException {
        if (fd < 0) {
            throw new IOException("stream closed");
        }
        byte[] rest = Arrays.copyOfRange(buffer, offset, offset + length);
        while (rest.length > 0) {
            long count = n.libc().write(fd, rest, rest.length);
            if (count < 0) {
                if (n.lastErrno() == Errno.EINTR) {
                    continue;
                }
                throw new IOException("write failed: " + Errno.name(n.lastErrno()));
            }
            rest = Arrays.copyOfRange(rest, (int) count, rest.length);
        }
    }

    @Override
    public synchronized void close() {
        Fds.closeQuietly(fd);
        fd = -1;
    }
}
