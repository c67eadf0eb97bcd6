package io.isola.internal.nativ;

/**
 * Numbers of the system calls that have no glibc wrapper, or whose wrapper hides what isola
 * needs (glibc's sigaction refuses the two real-time signals it reserves for itself).
 */
public final class SyscallNumbers {

    static final boolean X86_64 = switch (System.getProperty("os.arch")) {
        case "amd64", "x86_64" -> true;
        case "aarch64" -> false;
        default -> throw new UnsupportedOperationException("isola does not support " + System.getProperty("os.arch"));
    };

    public static final long RT_SIGACTION = X86_64 ? 13 : 134;
    public static final long PIVOT_ROOT = X86_64 ? 155 : 41;
    /*
     * The id calls go through syscall(), never glibc's wrappers: in a multithreaded process glibc
     * makes every thread take the new ids (it signals them all), and a vfork-style child shares
     * the JVM's memory and thread list, so the wrappers would change the JVM's own threads.
     */
    public static final long SETGROUPS = X86_64 ? 116 : 159;
    public static final long SETRESUID = X86_64 ? 117 : 147;
    public static final long SETRESGID = X86_64 ? 119 : 149;
    /** Numbered after the tables were unified (Linux 5.12): the same on every architecture. */
    public static final long MOUNT_SETATTR = 442;
    /** Also unified: pidfd_getfd (Linux 5.6). */
    public static final long PIDFD_GETFD = 438;

    public static final long OPEN_TREE = 428, MOVE_MOUNT = 429;
    /** The new mount API (Linux 5.2), unified numbers too. */
    public static final long FSOPEN = 430, FSCONFIG = 431, FSMOUNT = 432;
    /** Called on one host thread only, which glibc's wrappers would not change, but numbered here with the rest. */
    public static final long SETNS = X86_64 ? 308 : 268;
    /** prlimit64(pid, resource, new, old): glibc's getrlimit, through ThinLibc's one syscall binding. */
    public static final long PRLIMIT64 = X86_64 ? 302 : 261;

    public static final long UNSHARE = X86_64 ? 272 : 97;
    /** glibc 2.36 has no wrapper for any of these. */
    public static final long GETDENTS64 = X86_64 ? 217 : 61;

    public static final long OPENAT2 = 437;
    /** libkeyutils has the wrapper, glibc none. */
    public static final long KEYCTL = X86_64 ? 250 : 219;

    public static final long IOPRIO_SET = X86_64 ? 251 : 30;
    public static final long SCHED_SETATTR = X86_64 ? 314 : 274;
    public static final long BPF = X86_64 ? 321 : 280;

    /** The kernel's struct sigaction: handler, flags, restorer, 64-bit mask. Zeroed, it is SIG_DFL. */
    public static final int KERNEL_SIGACTION_BYTES = 32;
    /** The kernel's sigset_t size, which rt_sigaction insists on. */
    public static final int KERNEL_SIGSET_BYTES = 8;

    private SyscallNumbers() {}
}
