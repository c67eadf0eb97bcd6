package io.isola.internal.ebpf;

import io.isola.internal.nativ.Errno;
import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.Native;
import io.isola.internal.nativ.NativeMemory;
import io.isola.internal.nativ.SyscallNumbers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two bpf(2) commands a cgroup device filter needs, each filling its part of {@code union
 * bpf_attr}. The kernel accepts a shorter attr than its own (it zero-fills the rest), so each
 * command passes only the fields it sets.
 */
public final class BpfSyscall {

    private static final Logger LOG = LoggerFactory.getLogger(BpfSyscall.class);

    private static final long PROG_LOAD = 5, PROG_ATTACH = 8, PROG_DETACH = 9, PROG_GET_FD_BY_ID = 13, PROG_QUERY = 16;
    private static final int PROG_TYPE_CGROUP_DEVICE = 15, ATTACH_CGROUP_DEVICE = 6;
    /** Other programs may be attached beside ours (and those of the ancestors all run), as runc attaches. */
    public static final int F_ALLOW_MULTI = 2;
    /** prog_type .. prog_name, then prog_ifindex and expected_attach_type: 72 bytes. */
    private static final int PROG_LOAD_ATTR = 72;
    /** target_fd, attach_bpf_fd, attach_type, attach_flags, replace_bpf_fd. */
    private static final int PROG_ATTACH_ATTR = 20;
    /** target_fd, attach_type, query_flags, attach_flags, prog_ids, prog_cnt (padded). */
    private static final int PROG_QUERY_ATTR = 32;
    /** The most programs one cgroup holds that a query reads; more is ENOSPC. */
    private static final int MAX_QUERIED = 64;
    /** Enough for the verifier's log of a program of a few hundred instructions at log level 1. */
    private static final int LOG_SIZE = 64 * 1024;

    private static final String LICENSE = "Apache";

    private BpfSyscall() {}

    /**
     * Loads {@code program} as a cgroup device program; returns its fd (close-on-exec, as every bpf
     * fd is). The verifier checks it first: its refusal is the exception's message, with its log.
     *
     * <p>Why twice on failure: asked for a log, the verifier writes every instruction's state,
     * which took a load of the default filter from 0.26 ms to 1 ms on the CI host; so the first
     * attempt runs without one, as libbpf's does, and only a refused program is loaded again to
     * say why.
     */
    public static int loadDeviceProgram(EbpfProgram program, String name) throws IOException {
        byte[] code = program.encode();
        try (NativeMemory insns = new NativeMemory(code.length)) {
            NativeMemory.putBytes(insns.address(), code);
            LOG.debug("bpf(BPF_PROG_LOAD) of a cgroup device program of {} instructions", code.length / EbpfInsn.SIZE);
            long fd = load(insns.address(), code.length / EbpfInsn.SIZE, name, null);
            if (fd >= 0) {
                return (int) fd;
            }
            int errno = (int) -fd;
            String verifier = "";
            try (NativeMemory log = new NativeMemory(LOG_SIZE)) {
                NativeMemory.zero(log.address(), LOG_SIZE);
                fd = load(insns.address(), code.length / EbpfInsn.SIZE, name, log);
                if (fd >= 0) {
                    // accepted the second time (a transient refusal): use it
                    return (int) fd;
                }
                verifier = text(log.address(), LOG_SIZE);
            }
            throw new IOException("bpf(BPF_PROG_LOAD) of the cgroup device program failed: " + Errno.name(errno) + " ("
                    + Errno.describe(errno) + ")" + (verifier.isEmpty() ? "" : "; the verifier's log:\n" + verifier));
        }
    }

    /**
     * One BPF_PROG_LOAD: the fd, or minus the errno (taken before the frees below can change it);
     * with {@code log}, the verifier writes its reasoning there (log level 1).
     */
    private static long load(long insns, int count, String name, NativeMemory log) {
        try (NativeMemory attr = new NativeMemory(PROG_LOAD_ATTR);
                NativeMemory license = new NativeMemory(LICENSE.length() + 1)) {
            NativeMemory.putString(license.address(), LICENSE);
            long a = attr.address();
            NativeMemory.zero(a, PROG_LOAD_ATTR);
            NativeMemory.putInt(a, PROG_TYPE_CGROUP_DEVICE);
            NativeMemory.putInt(a + 4, count);
            NativeMemory.putLong(a + 8, insns);
            NativeMemory.putLong(a + 16, license.address());
            if (log != null) {
                NativeMemory.putInt(a + 24, 1);
                NativeMemory.putInt(a + 28, (int) log.size());
                NativeMemory.putLong(a + 32, log.address());
            }
            // prog_name: 15 characters and a NUL at most, letters, digits, '_' and '.'
            byte[] shown = name.replaceAll("[^A-Za-z0-9_.]", "_").getBytes(StandardCharsets.US_ASCII);
            NativeMemory.putBytes(a + 48, java.util.Arrays.copyOf(shown, Math.min(shown.length, 15)));
            Native n = Native.get();
            long fd = n.libc().syscall(SyscallNumbers.BPF, PROG_LOAD, a, PROG_LOAD_ATTR, 0);
            return fd < 0 ? -n.lastErrno() : fd;
        }
    }

    /** Attaches the device program {@code programFd} to the cgroup directory open as {@code cgroupFd}. */
    public static void attachDevice(int cgroupFd, int programFd, int flags, String cgroup) throws IOException {
        try (NativeMemory attr = new NativeMemory(PROG_ATTACH_ATTR)) {
            long a = deviceAttachAttr(attr, cgroupFd, programFd, flags);
            Native n = Native.get();
            LOG.debug("bpf(BPF_PROG_ATTACH, BPF_CGROUP_DEVICE) to {}", cgroup);
            if (n.libc().syscall(SyscallNumbers.BPF, PROG_ATTACH, a, PROG_ATTACH_ATTR, 0) < 0) {
                int errno = n.lastErrno();
                throw new IOException("bpf(BPF_PROG_ATTACH) of the device program to the cgroup " + cgroup + " failed: "
                        + Errno.name(errno) + " (" + Errno.describe(errno) + ")");
            }
        }
    }

    /** The ids of the device programs attached to the cgroup open as {@code cgroupFd} itself (not its ancestors'). */
    public static int[] attachedDevicePrograms(int cgroupFd, String cgroup) throws IOException {
        try (NativeMemory attr = new NativeMemory(PROG_QUERY_ATTR);
                NativeMemory ids = new NativeMemory(4L * MAX_QUERIED)) {
            long a = attr.address();
            NativeMemory.zero(a, PROG_QUERY_ATTR);
            NativeMemory.putInt(a, cgroupFd);
            NativeMemory.putInt(a + 4, ATTACH_CGROUP_DEVICE);
            NativeMemory.putLong(a + 16, ids.address());
            NativeMemory.putInt(a + 24, MAX_QUERIED);
            call("BPF_PROG_QUERY of the device programs of the cgroup " + cgroup, PROG_QUERY, a, PROG_QUERY_ATTR);
            int[] found = new int[NativeMemory.getInt(a + 24)];
            for (int i = 0; i < found.length; i++) {
                found[i] = NativeMemory.getInt(ids.address() + 4L * i);
            }
            return found;
        }
    }

    /**
     * Detaches the device program {@code id} from the cgroup open as {@code cgroupFd}; false when it
     * is no longer there (another runtime detached it first).
     */
    public static boolean detachDevice(int cgroupFd, int id, String cgroup) throws IOException {
        int programFd;
        try (NativeMemory attr = new NativeMemory(12)) {
            NativeMemory.zero(attr.address(), 12);
            NativeMemory.putInt(attr.address(), id);
            Native n = Native.get();
            long fd = n.libc().syscall(SyscallNumbers.BPF, PROG_GET_FD_BY_ID, attr.address(), 12, 0);
            if (fd < 0) {
                int errno = n.lastErrno();
                if (errno == Errno.ENOENT) {
                    return false;
                }
                throw new IOException("bpf(BPF_PROG_GET_FD_BY_ID) of program " + id + " failed: " + Errno.name(errno)
                        + " (" + Errno.describe(errno) + ")");
            }
            programFd = (int) fd;
        }
        try (NativeMemory attr = new NativeMemory(PROG_ATTACH_ATTR)) {
            long a = deviceAttachAttr(attr, cgroupFd, programFd, 0);
            LOG.debug("bpf(BPF_PROG_DETACH) of program {} from {}", id, cgroup);
            Native n = Native.get();
            if (n.libc().syscall(SyscallNumbers.BPF, PROG_DETACH, a, PROG_ATTACH_ATTR, 0) < 0) {
                int errno = n.lastErrno();
                if (errno == Errno.ENOENT) {
                    return false;
                }
                throw new IOException("bpf(BPF_PROG_DETACH) of device program " + id + " from the cgroup " + cgroup
                        + " failed: " + Errno.name(errno) + " (" + Errno.describe(errno) + ")");
            }
            return true;
        } finally {
            Fds.closeQuietly(programFd);
        }
    }

    /** union bpf_attr as BPF_PROG_ATTACH and BPF_PROG_DETACH read it: target fd, program fd, attach type, flags. */
    private static long deviceAttachAttr(NativeMemory attr, int cgroupFd, int programFd, int flags) {
        long a = attr.address();
        NativeMemory.zero(a, PROG_ATTACH_ATTR);
        NativeMemory.putInt(a, cgroupFd);
        NativeMemory.putInt(a + 4, programFd);
        NativeMemory.putInt(a + 8, ATTACH_CGROUP_DEVICE);
        NativeMemory.putInt(a + 12, flags);
        return a;
    }

    private static void call(String what, long command, long attr, int size) throws IOException {
        Native n = Native.get();
        if (n.libc().syscall(SyscallNumbers.BPF, command, attr, size, 0) < 0) {
            int errno = n.lastErrno();
            throw new IOException(
                    "bpf(" + what + ") failed: " + Errno.name(errno) + " (" + Errno.describe(errno) + ")");
        }
    }

    private static String text(long address, int size) {
        byte[] bytes = NativeMemory.getBytes(address, size);
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8).strip();
    }
}
