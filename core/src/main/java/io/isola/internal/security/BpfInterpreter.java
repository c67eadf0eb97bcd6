package io.isola.internal.security;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Runs a seccomp filter on the host, as the kernel would for one system call: the runtime uses it
 * to check, before anything starts, that a filter lets its own last steps through, and tests use
 * it to check the compiler without a kernel. Only the instructions libseccomp and
 * {@link EnosysPrefix} emit are known.
 */
public final class BpfInterpreter {

    static final int LD_W_ABS = 0x20,
            ALU_AND_K = 0x54,
            JA = 0x05,
            JEQ_K = 0x15,
            JGT_K = 0x25,
            JGE_K = 0x35,
            JSET_K = 0x45,
            RET_K = 0x06;

    /** Offsets in {@code struct seccomp_data}. */
    static final int NR = 0, ARCH = 4;

    private final ByteBuffer program;
    private final int length;

    public BpfInterpreter(byte[] filter) {
        this.program = ByteBuffer.wrap(filter).order(ByteOrder.nativeOrder());
        this.length = filter.length / 8;
    }

    /** The filter's verdict (SECCOMP_RET_*) for system call {@code nr} of {@code auditArch} with {@code args}. */
    public int run(int auditArch, int nr, long... args) {
        long[] a = new long[6];
        System.arraycopy(args, 0, a, 0, args.length);
        int acc = 0;
        int pc = 0;
        for (int steps = 0; steps < 100_000; steps++) {
            if (pc < 0 || pc >= length) {
                throw new IllegalStateException("filter ran off its end at " + pc);
            }
            int at = pc * 8;
            int code = program.getShort(at) & 0xffff;
            int jt = program.get(at + 2) & 0xff;
            int jf = program.get(at + 3) & 0xff;
            int k = program.getInt(at + 4);
            pc++;
            switch (code) {
                case LD_W_ABS -> acc = field(k, nr, auditArch, a);
                case ALU_AND_K -> acc &= k;
                case JA -> pc += k;
                case JEQ_K -> pc += acc == k ? jt : jf;
                case JGT_K -> pc += Integer.compareUnsigned(acc, k) > 0 ? jt : jf;
                case JGE_K -> pc += Integer.compareUnsigned(acc, k) >= 0 ? jt : jf;
                case JSET_K -> pc += (acc & k) != 0 ? jt : jf;
                case RET_K -> {
                    return k;
                }
                default -> throw new IllegalStateException("unknown BPF instruction 0x" + Integer.toHexString(code));
            }
        }
        throw new IllegalStateException("filter did not return");
    }

    private static int field(int offset, int nr, int arch, long[] args) {
        if (offset == NR) {
            return nr;
        } else if (offset == ARCH) {
            return arch;
        } else if (offset >= 16 && offset < 64 && offset % 4 == 0) {
            long arg = args[(offset - 16) / 8];
            return (offset - 16) % 8 == 0 ? (int) arg : (int) (arg >>> 32);
        }
        throw new IllegalStateException("load from offset " + offset + " of seccomp_data");
    }
}
