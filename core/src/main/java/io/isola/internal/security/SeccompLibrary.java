package io.isola.internal.security;

import io.isola.api.SeccompProfile.Condition;
import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.Native;
import io.isola.internal.nativ.NativeException;
import io.isola.internal.nativ.NativeMemory;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.OptionalInt;
import jnr.ffi.LibraryLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One libseccomp filter being built: rules in, classic BPF out. libseccomp is loaded on first
 * use, so an unconfined container never needs it.
 */
final class SeccompLibrary implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SeccompLibrary.class);

    private static final int SCMP_FLTATR_ACT_BADARCH = 2, SCMP_FLTATR_CTL_OPTIMIZE = 8;
    /** Optimisation level 2: a binary tree of the system call numbers, as isola's own compiler made. */
    private static final int OPTIMIZE_BINARY_TREE = 2;

    private static final int EACCES = 13, EEXIST = 17;
    /** sizeof(struct scmp_arg_cmp): unsigned arg, enum op, two u64 datums. */
    private static final int ARG_CMP_BYTES = 24;
    /** The highest number tried when looking for the end of libseccomp's table. */
    private static final int NUMBER_SEARCH_LIMIT = 1024;

    private static final int MFD_CLOEXEC = 1;

    private static final class Holder {
        static final LibSeccomp LIB = load();
        static final int HIGHEST_NUMBER = highestKnown(SeccompArch.host());
    }

    private final LibSeccomp lib = Holder.LIB;
    private final long ctx;

    /** A filter for the native architecture; a call of another architecture gets {@code badArchAction}. */
    SeccompLibrary(int defaultAction, int badArchAction) {
        long created = lib.seccomp_init(defaultAction);
        if (created == 0) {
            throw new IllegalStateException(
                    "libseccomp: seccomp_init failed (out of memory or an invalid default action 0x"
                            + Integer.toHexString(defaultAction) + ")");
        }
        this.ctx = created;
        try {
            check("seccomp_attr_set ACT_BADARCH", lib.seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, badArchAction));
            check(
                    "seccomp_attr_set CTL_OPTIMIZE",
                    lib.seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, OPTIMIZE_BINARY_TREE));
        } catch (RuntimeException e) {
            lib.seccomp_release(ctx);
            throw e;
        }
    }

    /** The native number of {@code name}, empty when libseccomp knows no such call on this architecture. */
    static OptionalInt number(String name) {
        int nr = Holder.LIB.seccomp_syscall_resolve_name(name);
        return nr >= 0 ? OptionalInt.of(nr) : OptionalInt.empty(); // pseudo calls (socketcall on x86_64) are negative
    }

    /** The highest system call number libseccomp knows on this host: anything above is newer than it. */
    static int highestNumber() {
        return Holder.HIGHEST_NUMBER;
    }

    /**
     * Adds a rule; false when libseccomp takes it as a no-op, its action being the filter's default.
     * A rule libseccomp refuses otherwise (a conflict with an earlier one) names the call.
     */
    boolean add(int action, int nr, String name, List<Condition> conditions) {
        try (NativeMemory args = new NativeMemory(Math.max(1, conditions.size()) * (long) ARG_CMP_BYTES)) {
            for (int i = 0; i < conditions.size(); i++) {
                Condition c = conditions.get(i);
                long at = args.address() + (long) i * ARG_CMP_BYTES;
                NativeMemory.putInt(at, c.index());
                NativeMemory.putInt(
                        at + 4, c.op().ordinal() + 1); // enum scmp_compare: SCMP_CMP_NE = 1, ... MASKED_EQ = 7
                NativeMemory.putLong(at + 8, c.value());
                NativeMemory.putLong(at + 16, c.valueTwo());
            }
            int rc = lib.seccomp_rule_add_array(ctx, action, nr, conditions.size(), args.address());
            if (rc == -EACCES) {
                return false;
            }
            if (rc == -EEXIST) {
                return true; // the same rule again (syslog under two capabilities)
            }
            if (rc < 0) {
                throw new IllegalArgumentException("system call " + name + ": libseccomp refuses the rule " + conditions
                        + " (" + new NativeException("seccomp_rule_add", -rc).getMessage() + ")");
            }
            return true;
        }
    }

    /** The filter as {@code struct sock_filter[]}, exported through a memfd. */
    byte[] export() {
        Native n = Native.get();
        int fd = n.check("memfd_create", n.libc().memfd_create("isola-seccomp", MFD_CLOEXEC));
        try {
            check("seccomp_export_bpf", lib.seccomp_export_bpf(ctx, fd));
            n.check("lseek", (int) n.libc().lseek(fd, 0, 0));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            for (long got; (got = n.libc().read(fd, buffer, buffer.length)) != 0; ) {
                n.check("read", (int) got);
                out.write(buffer, 0, (int) got);
            }
            return out.toByteArray();
        } finally {
            Fds.closeQuietly(fd);
        }
    }

    @Override
    public void close() {
        lib.seccomp_release(ctx);
    }

    private static void check(String call, int rc) {
        if (rc < 0) {
            throw new NativeException("libseccomp: " + call, -rc);
        }
    }

    private static LibSeccomp load() {
        try {
            // the soname: Debian's libseccomp2 ships no unversioned libseccomp.so (that is libseccomp-dev's)
            LibSeccomp lib =
                    LibraryLoader.create(LibSeccomp.class).failImmediately().load("libseccomp.so.2");
            LOG.debug("libseccomp loaded");
            return lib;
        } catch (UnsatisfiedLinkError e) {
            throw new IllegalStateException(
                    "a seccomp filter needs libseccomp.so.2, which this host lacks: install it"
                            + " (apt-get install libseccomp2) or run with --security-opt seccomp=unconfined",
                    e);
        }
    }

    private static int highestKnown(SeccompArch arch) {
        int highest = -1;
        for (int nr = 0; nr < NUMBER_SEARCH_LIMIT; nr++) {
            long name = Holder.LIB.seccomp_syscall_resolve_num_arch(arch.auditArch(), nr);
            if (name != 0) {
                Native.get().memory().freeMemory(name); // jffi frees with libc's free, as libseccomp's strdup needs
                highest = nr;
            }
        }
        if (highest < 0) {
            throw new IllegalStateException("libseccomp knows no system call of " + arch);
        }
        return highest;
    }
}
