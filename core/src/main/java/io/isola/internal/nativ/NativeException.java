package io.isola.internal.nativ;

import io.isola.api.IsolaException;

/** A host-side libc call failed; the message names the call, the errno name and its text. */
public final class NativeException extends IsolaException {

    private final int errno;

    public NativeException(String call, int errno) {
        super(call + " failed: " + Errno.name(errno) + " (" + Errno.describe(errno) + ")");
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
