package io.isola.internal.chain;

import io.isola.internal.nativ.CloneLibc;

/**
 * Where glibc keeps the fields of {@code ucontext_t} that the chain sets. {@code uc_link} and
 * {@code uc_stack} follow the generic Linux LP64 layout; the offset of {@code uc_sigmask} depends
 * on the architecture's {@code mcontext_t}, so it is measured once rather than assumed.
 */
final class UcontextLayout {

    static final long LINK = 8;
    static final long STACK_SP = 16;
    static final long STACK_FLAGS = 24;
    static final long STACK_SIZE = 32;
    /** glibc's sigset_t is 1024 bits, of which the kernel reads the first 64. */
    static final int SIGSET_BYTES = 128;

    private static final int SIG_BLOCK = 0, SIG_SETMASK = 2;
    private static final int PROBE_A = 40, PROBE_B = 41;

    final long sigmaskOffset;
    /** Room for one context: sizeof(ucontext_t) is 968 on x86_64 and 4560 on aarch64. */
    final int slotSize;

    private UcontextLayout(long sigmaskOffset, int slotSize) {
        this.sigmaskOffset = sigmaskOffset;
        this.slotSize = slotSize;
    }

    /** Measured once per process: every binding reads the same glibc. */
    private static volatile UcontextLayout measured;

    static UcontextLayout get(CloneLibc libc) {
        UcontextLayout layout = measured;
        if (layout == null) {
            layout = measure(libc);
            measured = layout; // a benign race: equal layouts
        }
        return layout;
    }

    /**
     * Blocks one real-time signal, takes a context, blocks a second, takes another, and finds the
     * word that changed exactly as a signal mask would. The thread's mask is restored after.
     */
    private static UcontextLayout measure(CloneLibc libc) {
        String arch = System.getProperty("os.arch");
        int slot = switch (arch) {
            case "amd64", "x86_64" -> 1024;
            case "aarch64" -> 8192;
            default -> throw new UnsupportedOperationException("isola does not support the " + arch + " architecture");
        };
        long size = 2L * slot + 3L * SIGSET_BYTES;
        long mem = libc.allocate(size);
        try {
            long a = mem, b = a + slot, set = b + slot, old = set + SIGSET_BYTES, second = old + SIGSET_BYTES;
            libc.putLong(set, bit(PROBE_A));
            libc.putLong(second, bit(PROBE_B));
            libc.pthread_sigmask(SIG_BLOCK, set, old);
            try {
                libc.getcontext(a);
                libc.pthread_sigmask(SIG_BLOCK, second, 0);
                libc.getcontext(b);
            } finally {
                libc.pthread_sigmask(SIG_SETMASK, old, 0);
            }
            for (long offset = STACK_SIZE + 8; offset + 8 <= slot; offset += 8) {
                long before = libc.getLong(a + offset), after = libc.getLong(b + offset);
                if ((before & bit(PROBE_A)) != 0
                        && (before & bit(PROBE_B)) == 0
                        && (after & bit(PROBE_A)) != 0
                        && (after & bit(PROBE_B)) != 0) {
                    return new UcontextLayout(offset, slot);
                }
            }
        } finally {
            libc.free(mem, size);
        }
        throw new IllegalStateException("cannot find uc_sigmask in glibc's ucontext_t on " + arch);
    }

    private static long bit(int signal) {
        return 1L << (signal - 1);
    }
}
