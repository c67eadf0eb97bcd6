package io.isola.internal.ebpf;

import java.nio.ByteBuffer;

/**
 * One eBPF instruction ({@code struct bpf_insn}): an opcode, two registers, a 16-bit offset and a
 * 32-bit immediate. The opcodes are the few a cgroup device filter needs, as constants; each
 * instruction prints as the kernel's verifier log writes it, so a program reads (and is tested) as
 * text.
 *
 * @param code the opcode: class | operation | source, as {@code linux/bpf.h} composes it
 * @param dst the destination register, 0-10
 * @param src the source register, 0-10
 * @param off a jump's distance (instructions after the next one) or a load's offset
 * @param imm the immediate operand
 */
public record EbpfInsn(int code, int dst, int src, int off, int imm) {

    /** Instruction classes. */
    static final int LDX = 0x01, JMP = 0x05, JMP32 = 0x06, ALU = 0x04, ALU64 = 0x07;
    /** Sources: an immediate (K) or a register (X). */
    static final int K = 0x00, X = 0x08;
    /** Size and mode of a load: a 32-bit word from memory. */
    static final int W = 0x00, MEM = 0x60;
    /** ALU operations. */
    static final int AND = 0x50, RSH = 0x70, MOV = 0xb0;
    /** Jump operations. */
    static final int JA = 0x00, JEQ = 0x10, JNE = 0x50, EXIT = 0x90;

    /** The registers: r0 holds the result, r1 the context on entry. */
    public static final int R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5;

    /** Bytes of one encoded instruction. */
    public static final int SIZE = 8;

    public EbpfInsn {
        if (dst < 0 || dst > 10 || src < 0 || src > 10) {
            throw new IllegalArgumentException(
                    "eBPF register r" + (dst < 0 || dst > 10 ? dst : src) + ": expected r0 to r10");
        }
        if (off < Short.MIN_VALUE || off > Short.MAX_VALUE) {
            throw new IllegalArgumentException("eBPF offset " + off + ": expected a 16-bit signed number");
        }
    }

    /** {@code dst = *(u32 *)(src + off)}. */
    public static EbpfInsn loadWord(int dst, int src, int off) {
        return new EbpfInsn(LDX | MEM | W, dst, src, off, 0);
    }

    /** {@code wdst &= imm} (32-bit). */
    public static EbpfInsn and32(int dst, int imm) {
        return new EbpfInsn(ALU | AND | K, dst, 0, 0, imm);
    }

    /** {@code wdst >>= imm} (32-bit, logical). */
    public static EbpfInsn rightShift32(int dst, int imm) {
        return new EbpfInsn(ALU | RSH | K, dst, 0, 0, imm);
    }

    /** {@code wdst = wsrc} (32-bit). */
    public static EbpfInsn move32(int dst, int src) {
        return new EbpfInsn(ALU | MOV | X, dst, src, 0, 0);
    }

    /** {@code rdst = imm} (64-bit, the immediate sign-extended). */
    public static EbpfInsn move64(int dst, int imm) {
        return new EbpfInsn(ALU64 | MOV | K, dst, 0, 0, imm);
    }

    /** {@code if wdst <op> imm goto pc+off}: a 32-bit compare (JMP32, Linux 5.1), so numbers over 2^31 compare right. */
    public static EbpfInsn jump32(int op, int dst, int imm, int off) {
        return new EbpfInsn(JMP32 | op | K, dst, 0, off, imm);
    }

    /** {@code if wdst <op> wsrc goto pc+off}. */
    public static EbpfInsn jump32Reg(int op, int dst, int src, int off) {
        return new EbpfInsn(JMP32 | op | X, dst, src, off, 0);
    }

    public static EbpfInsn exit() {
        return new EbpfInsn(JMP | EXIT, 0, 0, 0, 0);
    }

    /** The same instruction jumping {@code off} instead (a label resolved). */
    EbpfInsn withOffset(int off) {
        return new EbpfInsn(code, dst, src, off, imm);
    }

    boolean isJump() {
        int cls = code & 0x07;
        return (cls == JMP || cls == JMP32) && (code & 0xf0) != EXIT;
    }

    /** Appends the little-endian {@code struct bpf_insn} (x86-64 and arm64 are both little-endian). */
    void encode(ByteBuffer out) {
        out.put((byte) code).put((byte) (src << 4 | dst)).putShort((short) off).putInt(imm);
    }

    /** As the verifier's log prints it: {@code r2 = *(u32 *)(r1 +0)}, {@code if w2 != 0x2 goto pc+5}. */
    @Override
    public String toString() {
        int cls = code & 0x07;
        int op = code & 0xf0;
        boolean reg = (code & X) != 0;
        return switch (cls) {
            case LDX -> "r" + dst + " = *(u32 *)(r" + src + " " + (off < 0 ? "-" : "+") + Math.abs(off) + ")";
            case ALU, ALU64 -> {
                String prefix = cls == ALU ? "w" : "r";
                String operand = reg ? prefix + src : (op == AND ? hex(imm) : Integer.toString(imm));
                String operator = switch (op) {
                    case AND -> "&=";
                    case RSH -> ">>=";
                    case MOV -> "=";
                    default -> "alu" + Integer.toHexString(op) + "=";
                };
                yield prefix + dst + " " + operator + " " + operand;
            }
            case JMP, JMP32 -> {
                if (op == EXIT) {
                    yield "exit";
                }
                if (op == JA) {
                    yield "goto pc" + signed(off);
                }
                String prefix = cls == JMP32 ? "w" : "r";
                String operator = op == JEQ ? "==" : op == JNE ? "!=" : "jmp" + Integer.toHexString(op);
                yield "if " + prefix + dst + " " + operator + " " + (reg ? prefix + src : hex(imm)) + " goto pc"
                        + signed(off);
            }
            default -> "insn 0x" + Integer.toHexString(code);
        };
    }

    private static String hex(int value) {
        return "0x" + Integer.toHexString(value);
    }

    private static String signed(int value) {
        return value < 0 ? Integer.toString(value) : "+" + value;
    }
}
