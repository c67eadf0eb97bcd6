package io.isola.internal.chain;

import io.isola.api.TimeNamespace;
import io.isola.internal.nativ.HostProc;
import io.isola.internal.nativ.Native;
import io.isola.internal.nativ.NativeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A new time namespace for the cloning thread's children, with its offsets written before the
 * child enters it (the kernel freezes them when the first process does). unshare of a time
 * namespace changes only where this thread's children go, so it is allowed in the multithreaded
 * JVM; only a fork-style clone takes the child there (a CLONE_VM child stays in its parent's).
 * The thread cannot go back (setns of a time namespace wants a single-threaded process): it
 * retires after this clone, as a {@link PidNamespaceSwitch} that could not return does.
 */
final class TimeNamespaceEntry {

    private static final int CLONE_NEWTIME = 0x00000080;

    private TimeNamespaceEntry() {}

    static void enter(TimeNamespace time) {
        Native n = Native.get();
        if (n.libc().unshare(CLONE_NEWTIME) < 0) {
            throw new NativeException("unshare of a new time namespace for the container", n.lastErrno());
        }
        // /proc/self's file is the main thread's children's namespace; /proc/TID (looked up, never
        // listed) is this thread's: only the tid directory has the file, thread-self does not
        String tid;
        try {
            tid = Files.readSymbolicLink(Path.of("/proc/thread-self"))
                    .getFileName()
                    .toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot tell this thread's id from /proc/thread-self", e);
        }
        try {
            // one write(2): both clocks at once; through the host's procfs handle, which no mount redirects
            HostProc.write(tid + "/timens_offsets", time.offsetsFile().getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "time offsets " + time.offsetsFile().strip().replace('\n', ',') + ": the kernel refused them ("
                            + e.getMessage() + ")",
                    e);
        }
    }
}
