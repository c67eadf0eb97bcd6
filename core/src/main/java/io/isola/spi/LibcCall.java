package io.isola.spi;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The libc functions a {@link Step} may call: a closed set, as bubblewrap's {@code SetupOpType}
 * lists every operation its child may perform.
 *
 * <p>The child shares the JVM's memory and runs between clone and exec, where another thread may
 * have held any lock at the moment of the clone. So each of these is a thin system-call wrapper in
 * glibc that takes no lock, allocates nothing and touches no stdio (async-signal-safe in POSIX's
 * sense, or its Linux-only kin); {@code malloc}, {@code getenv} or {@code printf} are not here and
 * cannot be named. The arity is checked when a step is made, so that a wrong count fails on the
 * host, naming the step, instead of passing registers the function never reads. A function that
 * a new isolator needs is added here, after checking its glibc wrapper.
 */
public enum LibcCall {
    CAPSET("capset", 2),
    CHDIR("chdir", 1),
    CHMOD("chmod", 2),
    CHROOT("chroot", 1),
    CLOSE("close", 1),
    CLOSE_RANGE("close_range", 3),
    DUP2("dup2", 2),
    /** fcntl(fd, cmd[, arg]) */
    FCNTL("fcntl", 2, 3),
    /** ioctl(fd, request[, arg]) */
    IOCTL("ioctl", 2, 3),
    LCHOWN("lchown", 3),
    MKDIR("mkdir", 2),
    MKNOD("mknod", 3),
    MKNODAT("mknodat", 4),
    MOUNT("mount", 5),
    /** open(path, flags[, mode]) */
    OPEN("open", 2, 3),
    /** openat(dirfd, path, flags[, mode]) */
    OPENAT("openat", 3, 4),
    PERSONALITY("personality", 1),
    /** prctl(option[, arg2[, arg3[, arg4[, arg5]]]]) */
    PRCTL("prctl", 1, 5),
    SETDOMAINNAME("setdomainname", 2),
    SETHOSTNAME("sethostname", 2),
    SETNS("setns", 2),
    SETRLIMIT("setrlimit", 2),
    SETSID("setsid", 0),
    SOCKET("socket", 3),
    SYMLINK("symlink", 2),
    /**
     * syscall(number, ...): the calls glibc does not wrap, or wraps with more than the system call
     * (its setresuid signals every thread of the process); the number comes first.
     */
    SYSCALL("syscall", 1, Step.MAX_ARGS),
    UMASK("umask", 1),
    UMOUNT2("umount2", 2),
    UNSHARE("unshare", 1),
    WRITE("write", 3);

    private final String symbol;
    private final int minArgs;
    private final int maxArgs;

    LibcCall(String symbol, int args) {
        this(symbol, args, args);
    }

    LibcCall(String symbol, int minArgs, int maxArgs) {
        this.symbol = symbol;
        this.minArgs = minArgs;
        this.maxArgs = maxArgs;
    }

    /** The function's name in libc, as dlsym finds it. */
    public String symbol() {
        return symbol;
    }

    /** Whether the function takes {@code count} arguments. */
    public boolean takes(int count) {
        return count >= minArgs && count <= maxArgs;
    }

    /** The arguments it takes, for messages ("5", "2 to 3"). */
    public String arity() {
        return minArgs == maxArgs ? Integer.toString(minArgs) : minArgs + " to " + maxArgs;
    }

    /**
     * The call whose libc name is {@code symbol}.
     *
     * @throws IllegalArgumentException naming {@code symbol} and every allowed one, when it is none of these
     */
    public static LibcCall ofSymbol(String symbol) {
        for (LibcCall call : values()) {
            if (call.symbol.equals(symbol)) {
                return call;
            }
        }
        throw new IllegalArgumentException(symbol + ": expected one of "
                + Arrays.stream(values()).map(LibcCall::symbol).collect(Collectors.joining(", ")));
    }
}
