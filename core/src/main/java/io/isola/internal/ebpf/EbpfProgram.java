package io.isola.internal.ebpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An eBPF program under construction: instructions in order, with forward jumps to symbolic labels
 * resolved when it is finished. The verifier refuses backward jumps in loops it cannot bound and
 * any instruction no path reaches, so this builder only jumps forward and the caller leaves no dead
 * code.
 */
public final class EbpfProgram {

    /** The most instructions the kernel loads for an unprivileged loader (BPF_MAXINSNS); ours stay far below. */
    public static final int MAX_INSTRUCTIONS = 4096;

    private final List<EbpfInsn> code = new ArrayList<>();
    private final Map<Integer, String> jumps = new HashMap<>();
    private final Map<String, Integer> labels = new HashMap<>();
    private int nextLabel;

    public String newLabel() {
        return "L" + nextLabel++;
    }

    public EbpfProgram add(EbpfInsn insn) {
        code.add(insn);
        return this;
    }

    /** Adds a jump whose offset is filled in with {@code label}'s position. */
    public EbpfProgram jump(EbpfInsn insn, String label) {
        if (!insn.isJump()) {
            throw new IllegalArgumentException("not a jump: " + insn);
        }
        jumps.put(code.size(), label);
        code.add(insn);
        return this;
    }

    /** The next instruction added is {@code label}'s target. */
    public EbpfProgram bind(String label) {
        if (labels.putIfAbsent(label, code.size()) != null) {
            throw new IllegalStateException("label bound twice: " + label);
        }
        return this;
    }

    /** The instructions with every jump resolved. */
    public List<EbpfInsn> instructions() {
        List<EbpfInsn> out = new ArrayList<>(code);
        jumps.forEach((pc, label) -> {
            Integer target = labels.get(label);
            if (target == null || target <= pc || target > code.size()) {
                throw new IllegalStateException("jump at " + pc + " to " + label + ": not bound after it");
            }
            out.set(pc, code.get(pc).withOffset(target - pc - 1));
        });
        if (out.size() > MAX_INSTRUCTIONS) {
            throw new IllegalArgumentException("the eBPF program has " + out.size() + " instructions; at most "
                    + MAX_INSTRUCTIONS + " are allowed");
        }
        return out;
    }

    /** The program as {@code struct bpf_insn[]}, ready for BPF_PROG_LOAD. */
    public byte[] encode() {
        List<EbpfInsn> insns = instructions();
        ByteBuffer out = ByteBuffer.allocate(insns.size() * EbpfInsn.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        insns.forEach(insn -> insn.encode(out));
        return out.array();
    }

    /** One instruction a line, numbered, as the verifier's log lists a program. */
    public String listing() {
        List<EbpfInsn> insns = instructions();
        StringBuilder text = new StringBuilder();
        for (int pc = 0; pc < insns.size(); pc++) {
            text.append(pc).append(": ").append(insns.get(pc)).append('\n');
        }
        return text.toString();
    }
}
