package io.isola.internal.nativ;

import java.io.IOException;
import java.io.InputStream;

/** Reads a raw file descriptor, which it owns and closes. */
public final class FdInputStream extends InputStream {

    private final Native n = Native.get();
    private int fd;

    public FdInputStream(int fd) {
        this.fd = fd;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int count = read(one, 0, 1);
        return count < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public synchronized int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (fd < 0) {
            throw new IOException("stream closed");
        }
        byte[] target = offset == 0 ? buffer : new byte[length];
        long count = n.libc().read(fd, target, length);
        while (count < 0 && n.lastErrno() == Errno.EINTR) {
            count = n.libc().read(fd, target, length);
        }
        if (count < 0) {
            throw new IOException("read failed: " + Errno.name(n.lastErrno()));
        }
        if (count == 0) {
            return -1;
        }
        if (target != buffer) {
            System.arraycopy(target, 0, buffer, offset, (int) count);
        }
        return (int) count;
    }

    @Override
    public synchronized void close() {
        Fds.closeQuietly(fd);
        fd = -1;
    }
}
