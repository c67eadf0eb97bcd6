package io.isola.internal.nativ;

import io.isola.api.IsolaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a root runtime's process non-dumpable ({@code prctl(PR_SET_DUMPABLE, 0)}) for its life,
 * as runc keeps its own.
 *
 * <p>Why: every process isola creates is a clone of this JVM until it calls execve, and a
 * vfork-style clone shares this JVM's memory, whose dumpable flag is the one the kernel checks.
 * While a clone is dumpable, a container process that sees it (an exec'd process joins the
 * container's PID namespace before its execve; a container with the host's PIDs sees every start)
 * and holds the same capabilities (once the chain has dropped them) may open its
 * {@code /proc/PID/exe}, the host's java binary (runc's CVE-2019-5736), its {@code root},
 * {@code fd} and {@code mem}. A non-dumpable process's /proc files belong to root and need
 * CAP_SYS_PTRACE, which no default container holds. A fork-style clone copies the flag, and
 * execve resets it for the container's command.
 *
 * <p>Only when the runtime runs as root: a rootless runtime writes its child's id maps and reads
 * its {@code /proc} files as an ordinary user, which a non-dumpable child's root-owned files
 * would refuse; such a runtime and its containers are the same user on the host.
 */
public final class Dumpability {

    /** A holder: the thin create's path never logs, so it never starts slf4j. */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(Dumpability.class);
    }

    static final int PR_GET_DUMPABLE = 3, PR_SET_DUMPABLE = 4;

    private Dumpability() {}

    /** Whether this process must stay non-dumpable: it runs as root. */
    public static boolean required(Syscalls host) {
        return host.geteuid() == 0;
    }

    /**
     * Makes this process non-dumpable if it must be and is not (at load, and again before every
     * clone: a credential change with {@code fs.suid_dumpable = 1}, or any library's prctl, may
     * have set it back); throws when the kernel refuses, so that no child is created dumpable.
     */
    public static void ensure(Native n) {
        // libc directly, not through Syscalls.linux(): this runs while Native itself is being
        // made, where Native.get() is still null
        if (ensure(new JnrCloneLibc(n))) {
            Log.LOG.debug("the runtime's process is non-dumpable from now on");
        }
    }

    /**
     * As {@link #ensure(Native)} through {@code libc}, without logging (a thin create's JVM loads
     * no logger); true when this call made the process non-dumpable.
     */
    public static boolean ensure(CloneLibc libc) {
        if (libc.geteuid() != 0 || libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0) {
            return false;
        }
        if (libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 || libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0) {
            throw new IsolaException("cannot make the runtime's process non-dumpable (prctl PR_SET_DUMPABLE 0: "
                    + Errno.name(libc.lastErrno())
                    + "); no container is started while containers could open its /proc files");
        }
        return true;
    }
}
