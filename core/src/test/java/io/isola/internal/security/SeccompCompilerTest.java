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
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The BPF libseccomp emits for this host's architecture, run by the host-side interpreter: no kernel needed. */
class SeccompCompilerTest {

    private static final int EPERM = SeccompCompiler.RET_ERRNO | 1,
            ENOSYS = SeccompCompiler.RET_ERRNO | 38,
            ALLOW = SeccompCompiler.RET_ALLOW;

    private static final SeccompArch ARCH = SeccompArch.host();

    private static int nr(String name) {
        return SeccompLibrary.number(name).orElseThrow(() -> new AssertionError("libseccomp knows no " + name));
    }

    private static int run(Set<Capability> caps, SeccompProfile profile, String name, long... args) {
        byte[] filter = new SeccompCompiler(caps, "6.1.0").compile(profile);
        return new BpfInterpreter(filter).run(ARCH.auditArch(), nr(name), args);
    }

    private static int byDefault(String name, long... args) {
        return run(Security.DEFAULT_CAPABILITIES, DefaultSeccompProfile.get(), name, args);
    }

    @Test
    void theDefaultProfileAllowsWhatProgramsAndTheChainNeed() {
        for (String name : List.of(
                "read",
                "write",
                "openat",
                "execve",
                "exit_group",
                "rt_sigprocmask",
                "prctl",
                "chdir",
                "mmap",
                "futex",
                "capset",
                "setrlimit",
                "wait4")) {
            assertEquals(ALLOW, byDefault(name), name);
        }
    }

    @Test
    void theDefaultProfileDeniesEscapesWithEperm() {
        for (String name : List.of(
                "mount",
                "umount2",
                "unshare",
                "setns",
                "keyctl",
                "add_key",
                "request_key",
                "open_by_handle_at",
                "init_module",
                "finit_module",
                "delete_module",
                "kexec_load",
                "reboot",
                "swapon",
                "sethostname",
                "bpf",
                "perf_event_open",
                "pivot_root",
                "chroot",
                "io_uring_setup",
                "io_uring_enter",
                "io_uring_register")) {
            int expected = name.equals("chroot") ? ALLOW : EPERM; // SYS_CHROOT is a default capability, as in Docker
            assertEquals(expected, byDefault(name), name);
        }
    }

    @Test
    void argumentRulesAsDocker() {
        assertEquals(ALLOW, byDefault("clone", 0x11 /* SIGCHLD */));
        assertEquals(EPERM, byDefault("clone", 0x20000 /* CLONE_NEWNS */ | 0x11));
        assertEquals(EPERM, byDefault("clone", 0x10000000 /* CLONE_NEWUSER */));
        assertEquals(ENOSYS, byDefault("clone3"));
        assertEquals(ALLOW, byDefault("socket", 2, 3, 1));
        assertEquals(EPERM, byDefault("socket", 40 /* AF_VSOCK */, 1, 0));
        assertEquals(ALLOW, byDefault("personality", 0xffffffffL));
        assertEquals(EPERM, byDefault("personality", 0x0040000 /* ADDR_NO_RANDOMIZE */));
    }

    @Test
    void capabilitiesOpenTheCallsTheyGovern() {
        Set<Capability> admin = EnumSet.copyOf(Security.DEFAULT_CAPABILITIES);
        admin.add(Capability.SYS_ADMIN);
        assertEquals(ALLOW, run(admin, DefaultSeccompProfile.get(), "mount"));
        assertEquals(ALLOW, run(admin, DefaultSeccompProfile.get(), "clone", 0x20000));
        assertEquals(ALLOW, run(admin, DefaultSeccompProfile.get(), "clone3"));
        assertEquals(EPERM, run(Set.of(), DefaultSeccompProfile.get(), "chroot"));
    }

    @Test
    void unknownNumbersGetEnosysForeignArchitecturesAreKilled() {
        byte[] filter =
                new SeccompCompiler(Security.DEFAULT_CAPABILITIES, "6.1.0").compile(DefaultSeccompProfile.get());
        BpfInterpreter bpf = new BpfInterpreter(filter);
        assertEquals(ENOSYS, bpf.run(ARCH.auditArch(), 1000));
        assertEquals(ENOSYS, bpf.run(ARCH.auditArch(), SeccompLibrary.highestNumber() + 1));
        assertEquals(EPERM, bpf.run(ARCH.auditArch(), nr("kexec_load")));
        assertEquals(SeccompCompiler.RET_KILL_PROCESS, bpf.run(0x40000003 /* AUDIT_ARCH_I386 */, 1));
        if (ARCH == SeccompArch.X86_64) {
            assertEquals(ENOSYS, bpf.run(ARCH.auditArch(), SeccompArch.X32_SYSCALL_BIT | 165 /* x32 mount */));
        }
    }

    @ParameterizedTest
    @EnumSource(Op.class)
    void everyComparisonIsUnsigned64Bit(Op op) {
        long[] values = {0, 1, 40, 0xffffffffL, 0x1_0000_0000L, 0x1_0000_0028L, -1L, Long.MIN_VALUE};
        for (long operand : values) {
            for (long valueTwo : new long[] {0, 40}) {
                SeccompProfile profile = new SeccompProfile(
                        "test",
                        Action.ERRNO,
                        1,
                        List.of(),
                        List.of(new Rule(
                                List.of("getpid"),
                                Action.ALLOW,
                                0,
                                List.of(new Condition(0, op, operand, valueTwo)),
                                Set.of(),
                                Set.of(),
                                List.of(),
                                List.of(),
                                null)));
                BpfInterpreter bpf = new BpfInterpreter(new SeccompCompiler(Set.of(), "6.1").compile(profile));
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
                    assertEquals(
                            holds ? ALLOW : EPERM,
                            bpf.run(ARCH.auditArch(), nr("getpid"), arg),
                            () -> arg + " " + op + " " + operand + "/" + valueTwo);
                }
            }
        }
    }

    @Test
    void aProfileForAnotherArchitectureIsRefused() {
        SeccompProfile profile = new SeccompProfile("p.json", Action.ALLOW, 1, List.of("SCMP_ARCH_PPC64LE"), List.of());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> run(Set.of(), profile, "getpid"));
        assertTrue(e.getMessage().contains("SCMP_ARCH_PPC64LE"), e.getMessage());
    }

    @Test
    void anAllowByDefaultProfileLetsUnknownCallsThrough() {
        SeccompProfile profile = new SeccompProfile(
                "p", Action.ALLOW, 1, List.of(), List.of(Rule.of(Action.ERRNO, 13, List.of("mkdir", "mkdirat"))));
        byte[] filter = new SeccompCompiler(Set.of(), "6.1").compile(profile);
        BpfInterpreter bpf = new BpfInterpreter(filter);
        assertEquals(ALLOW, bpf.run(ARCH.auditArch(), 1000));
        assertEquals(SeccompCompiler.RET_ERRNO | 13, bpf.run(ARCH.auditArch(), nr("mkdirat")));
        assertEquals(ALLOW, bpf.run(ARCH.auditArch(), nr("mount")));
    }
}
