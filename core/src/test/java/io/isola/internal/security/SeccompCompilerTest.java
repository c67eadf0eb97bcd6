package io.isola.internal.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.Capability;
import io.isola.api.SeccompProfile;
import io.isola.api.SeccompProfile.Action;
import io.isola.api.SeccompProfile.Condition;
import io.isola.api.SeccompProfile.Op;
import io.isola.api.SeccompProfile.Rule;
import io.isola.api.Security;
import io.isola.internal.security.SyscallTable.Arch;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The BPF the compiler emits, run by the host-side interpreter: no kernel needed, every architecture checked. */
class SeccompCompilerTest {

    private static final int EPERM = SeccompCompiler.RET_ERRNO | 1, ENOSYS = SeccompCompiler.RET_ERRNO | 38,
            ALLOW = SeccompCompiler.RET_ALLOW;

    private static int run(Arch arch, Set<Capability> caps, SeccompProfile profile, String name, long... args) {
        SyscallTable table = SyscallTable.of(arch);
        byte[] filter = new SeccompCompiler(table, caps, "6.1.0").compile(profile);
        return new BpfInterpreter(filter).run(arch.auditArch(), table.require(name), args);
    }

    private static int byDefault(Arch arch, String name, long... args) {
        return run(arch, Security.DEFAULT_CAPABILITIES, DefaultSeccompProfile.get(), name, args);
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void theDefaultProfileAllowsWhatProgramsAndTheChainNeed(Arch arch) {
        for (String name : List.of("read", "write", "openat", "execve", "exit_group", "rt_sigprocmask", "prctl", "chdir",
                "mmap", "futex", "capset", "setrlimit", "wait4")) {
            assertEquals(ALLOW, byDefault(arch, name), name);
        }
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void theDefaultProfileDeniesEscapesWithEperm(Arch arch) {
        for (String name : List.of("mount", "umount2", "unshare", "setns", "keyctl", "add_key", "request_key",
                "open_by_handle_at", "init_module", "finit_module", "delete_module", "kexec_load", "reboot", "swapon",
                "sethostname", "bpf", "perf_event_open", "pivot_root", "chroot", "io_uring_setup", "io_uring_enter",
                "io_uring_register")) {
            int expected = name.equals("chroot") ? ALLOW : EPERM; // SYS_CHROOT is a default capability, as in Docker
            assertEquals(expected, byDefault(arch, name), name);
        }
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void argumentRulesAsDocker(Arch arch) {
        assertEquals(ALLOW, byDefault(arch, "clone", 0x11 /* SIGCHLD */));
        assertEquals(EPERM, byDefault(arch, "clone", 0x20000 /* CLONE_NEWNS */ | 0x11));
        assertEquals(EPERM, byDefault(arch, "clone", 0x10000000 /* CLONE_NEWUSER */));
        assertEquals(ENOSYS, byDefault(arch, "clone3"));
        assertEquals(ALLOW, byDefault(arch, "socket", 2, 3, 1));
        assertEquals(EPERM, byDefault(arch, "socket", 40 /* AF_VSOCK */, 1, 0));
        assertEquals(ALLOW, byDefault(arch, "personality", 0xffffffffL));
        assertEquals(EPERM, byDefault(arch, "personality", 0x0040000 /* ADDR_NO_RANDOMIZE */));
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void capabilitiesOpenTheCallsTheyGovern(Arch arch) {
        Set<Capability> admin = EnumSet.copyOf(Security.DEFAULT_CAPABILITIES);
        admin.add(Capability.SYS_ADMIN);
        assertEquals(ALLOW, run(arch, admin, DefaultSeccompProfile.get(), "mount"));
        assertEquals(ALLOW, run(arch, admin, DefaultSeccompProfile.get(), "clone", 0x20000));
        assertEquals(ALLOW, run(arch, admin, DefaultSeccompProfile.get(), "clone3"));
        assertEquals(EPERM, run(arch, Set.of(), DefaultSeccompProfile.get(), "chroot"));
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void unknownNumbersGetEnosysForeignArchitecturesAreKilled(Arch arch) {
        byte[] filter = new SeccompCompiler(SyscallTable.of(arch), Security.DEFAULT_CAPABILITIES, "6.1.0")
                .compile(DefaultSeccompProfile.get());
        BpfInterpreter bpf = new BpfInterpreter(filter);
        assertEquals(ENOSYS, bpf.run(arch.auditArch(), 1000));
        assertEquals(SeccompCompiler.RET_KILL_PROCESS, bpf.run(0x40000003 /* AUDIT_ARCH_I386 */, 1));
        if (arch == Arch.X86_64) {
            assertEquals(ENOSYS, bpf.run(arch.auditArch(), SyscallTable.X32_SYSCALL_BIT | 165 /* x32 mount */));
        }
    }

    @ParameterizedTest
    @EnumSource(Op.class)
    void everyComparisonIsUnsigned64Bit(Op op) {
        long[] values = {0, 1, 40, 0xffffffffL, 0x1_0000_0000L, 0x1_0000_0028L, -1L, Long.MIN_VALUE};
        for (long operand : values) {
            for (long valueTwo : new long[] {0, 40}) {
                SeccompProfile profile = new SeccompProfile("test", Action.ERRNO, 1, List.of(), List.of(new Rule(
                        List.of("getpid"), Action.ALLOW, 0, List.of(new Condition(0, op, operand, valueTwo)),
                        Set.of(), Set.of(), List.of(), List.of(), null)));
                SyscallTable table = SyscallTable.of(Arch.X86_64);
                BpfInterpreter bpf = new BpfInterpreter(new SeccompCompiler(table, Set.of(), "6.1").compile(profile));
                for (long arg : values) {
                    boolean holds = switch (op) {
                        case EQ -> arg == operand;
                        case NE -> arg != operand;
                        case LT -> Long.compareUnsigned(arg, operand) < 0;
                        case LE -> Long.compareUnsigned(arg, operand) <= 0;
                        case GT -> Long.compareUnsigned(arg, operand) > 0;
                        case GE -> Long.compareUnsigned(arg, operand) >= 0;
                        case MASKED_EQ -> (arg & operand) == valueTwo;
                    };
                    assertEquals(holds ? ALLOW : EPERM, bpf.run(Arch.X86_64.auditArch(), table.require("getpid"), arg),
                            () -> arg + " " + op + " " + operand + "/" + valueTwo);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void aProfileForAnotherArchitectureIsRefused(Arch arch) {
        SeccompProfile profile = new SeccompProfile("p.json", Action.ALLOW, 1, List.of("SCMP_ARCH_PPC64LE"), List.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run(arch, Set.of(), profile, "getpid"));
        assertTrue(e.getMessage().contains("SCMP_ARCH_PPC64LE"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void anAllowByDefaultProfileLetsUnknownCallsThrough(Arch arch) {
        SeccompProfile profile = new SeccompProfile("p", Action.ALLOW, 1, List.of(),
                List.of(Rule.of(Action.ERRNO, 13, List.of("mkdir", "mkdirat"))));
        SyscallTable table = SyscallTable.of(arch);
        byte[] filter = new SeccompCompiler(table, Set.of(), "6.1").compile(profile);
        BpfInterpreter bpf = new BpfInterpreter(filter);
        assertEquals(ALLOW, bpf.run(arch.auditArch(), 1000));
        assertEquals(SeccompCompiler.RET_ERRNO | 13, bpf.run(arch.auditArch(), table.require("mkdirat")));
        assertEquals(ALLOW, bpf.run(arch.auditArch(), table.require("mount")));
    }
}
