package io.isola.reliability;

import io.isola.internal.nativ.NativeMemory;
import io.isola.testing.HostState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a start may leave behind in this JVM and on the host: fds, threads, native memory, child
 * processes and mounts. Taken before a case and compared after it, with a bounded moment for
 * threads to end and fds to settle.
 */
record Leftovers(long fds, long threads, long nativeBytes, long children, long mounts) {

    static Leftovers now() throws Exception {
        return new Leftovers(HostState.openFds(), HostState.threads(), NativeMemory.liveBytes(),
                ProcessHandle.current().children().filter(ProcessHandle::isAlive).count(), mountCount());
    }

    /** The host's mount table, as seen from this JVM's mount namespace. */
    static long mountCount() throws Exception {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).size();
    }

    /** What is left behind compared with {@code before}; empty when nothing is. */
    List<String> since(Leftovers before) throws Exception {
        Leftovers after = this;
        long deadline = System.nanoTime() + 5_000_000_000L;
        // threads end and the JVM closes its own transient fds (class loading, /proc reads) a moment later
        while ((after.fds > before.fds || after.threads > before.threads || after.children > before.children)
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
            after = now();
        }
        List<String> left = new ArrayList<>();
        if (after.fds > before.fds) {
            left.add((after.fds - before.fds) + " fds");
        }
        if (after.threads > before.threads) {
            left.add((after.threads - before.threads) + " threads");
        }
        if (after.nativeBytes > before.nativeBytes) {
            left.add((after.nativeBytes - before.nativeBytes) + " bytes of native memory");
        }
        if (after.children > before.children) {
            left.add((after.children - before.children) + " processes");
        }
        if (after.mounts != before.mounts) {
            left.add((after.mounts - before.mounts) + " mounts");
        }
        return left;
    }
}
