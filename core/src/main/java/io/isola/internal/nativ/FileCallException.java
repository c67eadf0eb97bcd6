package io.isola.internal.nativ;

import java.io.IOException;

/** A file call relative to a directory descriptor failed: the message names the call, the file and the errno. */
public final class FileCallException extends IOException {

    private final int errno;

    public FileCallException(String call, String file, int errno) {
        super(call + " " + file + ": " + Errno.name(errno) + " (" + Errno.describe(errno) + ")");
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
