package io.isola.internal.security;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny assembler for classic BPF as seccomp runs it: instructions with symbolic labels, resolved
 * into {@code struct sock_filter} records.
 *
 * <p>Conditional jumps in classic BPF reach at most 255 instructions ahead, so this assembler only
 * emits them with offsets 0 or 1 and reaches labels with an unconditional {@code ja}, whose offset
 * is 32 bits ({@link #jumpIf}, {@link #jumpUnless}).
 */
final class Bpf {

    static final int LD_W_ABS = 0x20, ALU_AND_K = 0x54, JA = 0x05, JEQ_K = 0x15, JGT_K = 0x25, JGE_K = 0x35,
            JSET_K = 0x45, RET_K = 0x06;

    /** The maximum program length the kernel accepts (BPF_MAXINSNS). */
    static final int MAX_INSTRUCTIONS = 4096;

    /** Offsets in {@code struct seccomp_data}. */
    static final int NR = 0, ARCH = 4;

    static int argLow(int index) {
        return 16 + 8 * index; // little-endian: the low word first
    }

    static int argHigh(int index) {
        return argLow(index) + 4;
    }

    record Insn(int code, int jt, int jf, int k, String label) {}

    private final List<Insn> code = new ArrayList<>();
    private final Map<String, Integer> labels = new HashMap<>();
    private int nextLabel;

    String newLabel() {
        return "L" + nextLabel++;
    }

    void bind(String label) {
        if (labels.putIfAbsent(label, code.size()) != null) {
            throw new IllegalStateException("label bound twice: " + label);
        }
    }

    void load(int offset) {
        code.add(new Insn(LD_W_ABS, 0, 0, offset, null));
    }

    void and(int mask) {
        code.add(new Insn(ALU_AND_K, 0, 0, mask, null));
    }

    void ret(int value) {
        code.add(new Insn(RET_K, 0, 0, value, null));
    }

    void jump(String label) {
        code.add(new Insn(JA, 0, 0, 0, label));
    }

    /** Goes to {@code label} when {@code A <op> k} holds; falls through otherwise. */
    void jumpIf(int op, int k, String label) {
        code.add(new Insn(op, 0, 1, k, null));
        jump(label);
    }

    /** Goes to {@code label} when {@code A <op> k} does not hold; falls through otherwise. */
    void jumpUnless(int op, int k, String label) {
        code.add(new Insn(op, 1, 0, k, null));
        jump(label);
    }

    int size() {
        return code.size();
    }

    /** The program as {@code struct sock_filter[]}: u16 code, u8 jt, u8 jf, u32 k, in host order. */
    byte[] assemble() {
        if (code.size() > MAX_INSTRUCTIONS) {
            throw new IllegalArgumentException("the seccomp filter has " + code.size() + " instructions; the kernel accepts at most "
                    + MAX_INSTRUCTIONS);
        }
        ByteBuffer out = ByteBuffer.allocate(8 * code.size()).order(ByteOrder.nativeOrder());
        for (int pc = 0; pc < code.size(); pc++) {
            Insn insn = code.get(pc);
            int k = insn.k();
            if (insn.label() != null) {
                Integer target = labels.get(insn.label());
                if (target == null) {
                    throw new IllegalStateException("unbound label " + insn.label());
                }
                k = target - (pc + 1);
                if (k < 0) {
                    throw new IllegalStateException("backward jump to " + insn.label());
                }
            }
            out.putShort((short) insn.code()).put((byte) insn.jt()).put((byte) insn.jf()).putInt(k);
        }
        return out.array();
    }
}
