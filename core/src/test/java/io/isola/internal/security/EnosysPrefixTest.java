package io.isola.internal.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The instructions put before libseccomp's program, run by the interpreter for both architectures. */
class EnosysPrefixTest {

    private static final int ENOSYS = SeccompCompiler.RET_ERRNO | SeccompCompiler.ENOSYS;
    private static final int AUDIT_ARCH_I386 = 0x40000003;

    /** Stands for libseccomp's program: allows everything. */
    private static final byte[] ALLOW_ALL = ByteBuffer.allocate(8)
            .order(ByteOrder.nativeOrder())
            .putShort((short) BpfInterpreter.RET_K)
            .put((byte) 0)
            .put((byte) 0)
            .putInt(SeccompCompiler.RET_ALLOW)
            .array();

    @ParameterizedTest
    @EnumSource(SeccompArch.class)
    void numbersAboveTheHighestKnownGetEnosysTheRestGoOn(SeccompArch arch) {
        BpfInterpreter bpf = new BpfInterpreter(EnosysPrefix.prepend(arch, 456, ALLOW_ALL));
        assertEquals(SeccompCompiler.RET_ALLOW, bpf.run(arch.auditArch(), 0));
        assertEquals(SeccompCompiler.RET_ALLOW, bpf.run(arch.auditArch(), 456));
        assertEquals(ENOSYS, bpf.run(arch.auditArch(), 457));
        // another architecture is libseccomp's to judge, whatever its number
        assertEquals(SeccompCompiler.RET_ALLOW, bpf.run(AUDIT_ARCH_I386, 1000));
    }

    @ParameterizedTest
    @EnumSource(SeccompArch.class)
    void x32CallsGetEnosysOnX8664Only(SeccompArch arch) {
        BpfInterpreter bpf = new BpfInterpreter(EnosysPrefix.prepend(arch, -1, ALLOW_ALL));
        int x32Mount = SeccompArch.X32_SYSCALL_BIT | 165;
        assertEquals(
                arch == SeccompArch.X86_64 ? ENOSYS : SeccompCompiler.RET_ALLOW, bpf.run(arch.auditArch(), x32Mount));
        assertEquals(SeccompCompiler.RET_ALLOW, bpf.run(arch.auditArch(), 1000)); // allow by default: no bound
    }

    @Test
    void nothingToAddLeavesTheProgramAlone() {
        assertSame(ALLOW_ALL, EnosysPrefix.prepend(SeccompArch.AARCH64, -1, ALLOW_ALL)); // no x32, no bound
    }
}
