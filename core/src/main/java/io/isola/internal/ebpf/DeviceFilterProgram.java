package io.isola.internal.ebpf;

import static io.isola.internal.ebpf.EbpfInsn.R0;
import static io.isola.internal.ebpf.EbpfInsn.R1;
import static io.isola.internal.ebpf.EbpfInsn.R2;
import static io.isola.internal.ebpf.EbpfInsn.R3;
import static io.isola.internal.ebpf.EbpfInsn.R4;
import static io.isola.internal.ebpf.EbpfInsn.R5;

import io.isola.api.Devices.Rule;
import java.util.List;

/**
 * A {@code BPF_PROG_TYPE_CGROUP_DEVICE} program built from device cgroup rules, after runc's
 * {@code devicefilter} and crun's {@code ebpf.c}: everything is denied, then the rules apply in
 * order and the last one that matches decides. The program tests them in reverse and returns at
 * the first match, which is the same thing.
 *
 * <p>The kernel passes {@code struct bpf_cgroup_dev_ctx}: {@code access_type} (the device type in
 * the low 16 bits, the requested access in the high 16), {@code major}, {@code minor}. The
 * prologue loads them into r2 (type), r3 (access), r4 (major) and r5 (minor); r1 is scratch after.
 *
 * <p>Access: an allow rule matches when it grants all of the request (an {@code open(O_RDWR)}
 * asks read and write at once), as runc's does; a deny rule matches when it refuses any part of
 * it, as v1's devices controller would (runc's matches only a request within it, so its "deny w"
 * lets an O_RDWR open through an earlier "allow rwm").
 */
public final class DeviceFilterProgram {

    /** {@code BPF_DEVCG_DEV_*} and {@code BPF_DEVCG_ACC_*}. */
    static final int DEV_BLOCK = 1, DEV_CHAR = 2, ACC_MKNOD = 1, ACC_READ = 2, ACC_WRITE = 4;

    private static final int ALL_ACCESS = ACC_MKNOD | ACC_READ | ACC_WRITE;
    private static final long MAX_NUMBER = 0xffffffffL;

    private DeviceFilterProgram() {}

    /** The program allowing what {@code rules} allow, in order, after denying everything. */
    public static EbpfProgram of(List<Rule> rules) {
        EbpfProgram program = new EbpfProgram()
                .add(EbpfInsn.loadWord(R2, R1, 0))
                .add(EbpfInsn.and32(R2, 0xffff))
                .add(EbpfInsn.loadWord(R3, R1, 0))
                .add(EbpfInsn.rightShift32(R3, 16))
                .add(EbpfInsn.loadWord(R4, R1, 4))
                .add(EbpfInsn.loadWord(R5, R1, 8));
        for (int i = rules.size() - 1; i >= 0; i--) {
            if (!appendRule(program, rules.get(i))) {
                // it matches every request: the rules before it, and the default, are never reached (and
                // the verifier refuses instructions no path reaches)
                return program;
            }
        }
        return program.add(EbpfInsn.move64(R0, 0)).add(EbpfInsn.exit());
    }

    /** Appends {@code rule}'s test; returns false when it has none (the rule matches everything). */
    private static boolean appendRule(EbpfProgram program, Rule rule) {
        int access = access(rule.access());
        boolean conditional =
                rule.type() != 'a' || access != ALL_ACCESS || rule.major() != Rule.ANY || rule.minor() != Rule.ANY;
        String next = program.newLabel();
        if (rule.type() != 'a') {
            program.jump(EbpfInsn.jump32(EbpfInsn.JNE, R2, rule.type() == 'c' ? DEV_CHAR : DEV_BLOCK, 0), next);
        }
        if (access != ALL_ACCESS) {
            program.add(EbpfInsn.move32(R1, R3)).add(EbpfInsn.and32(R1, access));
            if (rule.allow()) {
                program.jump(EbpfInsn.jump32Reg(EbpfInsn.JNE, R1, R3, 0), next); // a part of the request is not granted
            } else {
                program.jump(EbpfInsn.jump32(EbpfInsn.JEQ, R1, 0, 0), next); // no part of the request is refused
            }
        }
        if (rule.major() != Rule.ANY) {
            program.jump(EbpfInsn.jump32(EbpfInsn.JNE, R4, number(rule, rule.major()), 0), next);
        }
        if (rule.minor() != Rule.ANY) {
            program.jump(EbpfInsn.jump32(EbpfInsn.JNE, R5, number(rule, rule.minor()), 0), next);
        }
        program.add(EbpfInsn.move64(R0, rule.allow() ? 1 : 0)).add(EbpfInsn.exit());
        if (conditional) {
            program.bind(next);
        }
        return conditional;
    }

    private static int access(String access) {
        int bits = 0;
        for (char c : access.toCharArray()) {
            bits |= switch (c) {
                case 'r' -> ACC_READ;
                case 'w' -> ACC_WRITE;
                case 'm' -> ACC_MKNOD;
                default ->
                    throw new IllegalArgumentException("device access \"" + access + "\": expected some of r, w and m");
            };
        }
        return bits;
    }

    private static int number(Rule rule, long value) {
        if (value > MAX_NUMBER) {
            throw new IllegalArgumentException("device rule \"" + rule.line() + "\": device number " + value
                    + " is over " + MAX_NUMBER + ", the largest the kernel has");
        }
        return (int) value;
    }
}
