package io.isola.internal.chain;

import io.isola.internal.nativ.NativeMemory;

/**
 * The native memory one cloning thread compiles its chains into, reused from launch to launch so
 * that the pages are already faulted in (a fresh page costs about 12 µs here). A chain is only
 * rewritten after the previous child has exec'd or exited, which the vfork-style clone guarantees
 * by suspending the cloning thread until then.
 */
final class ChainArena implements AutoCloseable {

    private static final long INITIAL = 256 * 1024;

    private NativeMemory memory;

    /** A block of at least {@code size} bytes; its previous content is not kept. */
    long reserve(long size) {
        if (memory == null || memory.size() < size) {
            if (memory != null) {
                memory.close();
            }
            memory = new NativeMemory(Math.max(INITIAL, Long.highestOneBit(size) << 1));
        }
        return memory.address();
    }

    @Override
    public void close() {
        if (memory != null) {
            memory.close();
            memory = null;
        }
    }
}
