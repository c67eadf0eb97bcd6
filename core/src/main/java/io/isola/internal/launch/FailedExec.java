package io.isola.internal.launch;

import io.isola.api.ExecFailedException;
import io.isola.internal.nativ.Errno;

/**
 * The errnos of a command's exec candidates that failed, of which the most telling is kept, as
 * execvp does: an ENOENT gives way to any other (EACCES says more than a missing PATH entry).
 */
final class FailedExec {

    private int errno;

    void candidateFailed(int next) {
        errno = errno == 0 || errno == Errno.ENOENT ? next : errno;
    }

    /** The failure of {@code command}, every candidate having failed. */
    ExecFailedException exception(String command) {
        return new ExecFailedException(command, errno, Errno.name(errno), Errno.describe(errno));
    }
}
