package io.isola.internal.security;

import static io.isola.internal.security.BpfInterpreter.ARCH;
import static io.isola.internal.security.BpfInterpreter.JEQ_K;
import static io.isola.internal.security.BpfInterpreter.JGE_K;
import static io.isola.internal.security.BpfInterpreter.JGT_K;
import static io.isola.internal.security.BpfInterpreter.LD_W_ABS;
import static io.isola.internal.security.BpfInterpreter.NR;
import static io.isola.internal.security.BpfInterpreter.RET_K;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A few BPF instructions put before libseccomp's program, as runc's {@code patchbpf} does, for two
 * answers libseccomp cannot give: ENOSYS for an x32 call on x86_64 (libseccomp gives it the
 * bad-architecture action, here a kill), and ENOSYS for a number above every call libseccomp
 * knows, so that libc falls back to an older call as on an older kernel, rather than taking EPERM
 * for "not supported". Other architectures fall through to libseccomp's own check.
 */
final class EnosysPrefix {

    private record Test(int op, int k) {}

    private EnosysPrefix() {}

    /**
     * The instructions to run before {@code program}, or none.
     *
     * @param highestKnown the highest number whose call the filter's rules could name; above it,
     *     ENOSYS; negative for none (a profile that allows by default)
     */
    static byte[] prepend(SeccompArch arch, int highestKnown, byte[] program) {
        List<Test> tests = new ArrayList<>();
        if (arch == SeccompArch.X86_64) {
            tests.add(new Test(JGE_K, SeccompArch.X32_SYSCALL_BIT));
        }
        if (highestKnown >= 0) {
            tests.add(new Test(JGT_K, highestKnown));
        }
        if (tests.isEmpty()) {
            return program;
        }
        int n = tests.size();
        ByteBuffer out = ByteBuffer.allocate(8 * (n + 4) + program.length).order(ByteOrder.nativeOrder());
        put(out, LD_W_ABS, 0, 0, ARCH);
        put(out, JEQ_K, 0, n + 2, arch.auditArch()); // another architecture: straight to libseccomp's program
        put(out, LD_W_ABS, 0, 0, NR);
        for (int i = 0; i < n; i++) {
            boolean last = i == n - 1;
            put(out, tests.get(i).op(), n - 1 - i, last ? 1 : 0, tests.get(i).k()); // true: to the RET below
        }
        put(out, RET_K, 0, 0, SeccompCompiler.RET_ERRNO | SeccompCompiler.ENOSYS);
        return out.put(program).array();
    }

    private static void put(ByteBuffer out, int code, int jt, int jf, int k) {
        out.putShort((short) code).put((byte) jt).put((byte) jf).putInt(k);
    }
}
