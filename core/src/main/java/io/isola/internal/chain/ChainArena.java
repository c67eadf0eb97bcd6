package io.isola.internal.chain;

import io.isola.internal.nativ.ForeignMemory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The native memory one cloning thread compiles its chains into, reused from launch to launch so
 * that the pages are already faulted in (a fresh page costs about 12 µs here). A chain is only
 * rewritten after the previous child has exec'd or exited, which the vfork-style clone guarantees
 * by suspending the cloning thread until then.
 */
final class ChainArena implements AutoCloseable {

    private static final long INITIAL = 256 * 1024;
    /** Bytes held by the arenas of all live cloning threads. */
    private static final AtomicLong HELD = new AtomicLong();

    private final ForeignMemory memory;
    private long address;
    private long size;

    ChainArena(ForeignMemory memory) {
        this.memory = memory;
    }

    /** A block of at least {@code size} bytes; its previous content is not kept. */
    long reserve(long wanted) {
        if (address == 0 || size < wanted) {
            close();
            long grown = Math.max(INITIAL, Long.highestOneBit(wanted) << 1);
            address = memory.allocate(grown);
            size = grown;
            HELD.addAndGet(size);
        }
        return address;
    }

    /**
     * The native memory all arenas hold. An arena only grows (a program's size depends on which fd
     * numbers its pipes got, so one start may need a few more bytes than the last) and is freed
     * with its thread, so a leak check counts it with the threads, not as a leak.
     */
    static long heldBytes() {
        return HELD.get();
    }

    @Override
    public void close() {
        if (address != 0) {
            HELD.addAndGet(-size);
            memory.free(address, size);
            address = 0;
            size = 0;
        }
    }
}
