package io.isola.internal.nativ;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@link Syscalls} through libc: the binding of {@link Native} and {@link Fds}. The capabilities and
 * limits are asked of the kernel (capget, getrlimit) rather than read from {@code /proc/self/status}:
 * they are asked on every launch, and parsing procfs there cost more than the rest of the
 * lock-down's planning.
 */
final class LinuxSyscalls implements Syscalls {

    static final LinuxSyscalls INSTANCE = new LinuxSyscalls();

    private static final Path CAP_LAST_CAP = Path.of("/proc/sys/kernel/cap_last_cap");
    private static final Path OS_RELEASE = Path.of("/proc/sys/kernel/osrelease");
    private static final long RLIM_INFINITY = -1L;
    private static final short POLLIN = 1;

    /** Facts of the running kernel, read once. */
    private volatile Integer lastCap;

    private volatile String kernelRelease;

    private LinuxSyscalls() {}

    @Override
    public int geteuid() {
        return Native.get().libc().geteuid();
    }

    @Override
    public int getegid() {
        return Native.get().libc().getegid();
    }

    @Override
    public boolean hasEffectiveCapability(int number) {
        Native n = Native.get();
        try (NativeMemory mem = new NativeMemory(CapabilityHeader.HEADER_BYTES + 2 * CapabilityHeader.DATA_BYTES)) {
            long header = mem.address(), data = header + CapabilityHeader.HEADER_BYTES;
            NativeMemory.putInt(header, CapabilityHeader.VERSION_3);
            NativeMemory.putInt(header + 4, 0); // this process
            n.check("capget", n.libc().capget(header, data));
            int effective = NativeMemory.getInt(data + (long) (number / 32) * CapabilityHeader.DATA_BYTES);
            return (effective & (1 << (number % 32))) != 0;
        }
    }

    @Override
    public long hardLimit(int resource) {
        Native n = Native.get();
        try (NativeMemory rlimit = new NativeMemory(16)) {
            n.check("getrlimit", n.libc().getrlimit(resource, rlimit.address()));
            long hard = NativeMemory.getLong(rlimit.address() + 8);
            return hard == RLIM_INFINITY ? -1 : hard;
        }
    }

    @Override
    public int lastCap() {
        Integer value = lastCap;
        if (value == null) {
            value = Integer.parseInt(read(CAP_LAST_CAP).trim());
            lastCap = value;
        }
        return value;
    }

    @Override
    public String kernelRelease() {
        String value = kernelRelease;
        if (value == null) {
            value = read(OS_RELEASE).trim();
            kernelRelease = value;
        }
        return value;
    }

    /**
     * Not Files.readString: on JDK 17 it trusts the size that procfs reports for sysctl files and
     * returned "4" for a cap_last_cap of 40 on this kernel.
     */
    private static String read(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    @Override
    public boolean handlesSignal(int signal) {
        try (NativeMemory action = new NativeMemory(SyscallNumbers.KERNEL_SIGACTION_BYTES)) {
            // the raw call: glibc's wrapper refuses 32 and 33, which a JVM's environment may ignore
            long rc = Native.get()
                    .libc()
                    .syscall(
                            SyscallNumbers.RT_SIGACTION,
                            signal,
                            0,
                            action.address(),
                            SyscallNumbers.KERNEL_SIGSET_BYTES);
            return rc == 0 && NativeMemory.getLong(action.address()) != 0;
        }
    }

    @Override
    public int[] pipe() {
        return Fds.pipe();
    }

    @Override
    public int open(String path, int flags, int mode) {
        return Fds.open(path, flags, mode);
    }

    @Override
    public int openHostProc() {
        return HostProc.open();
    }

    @Override
    public int dupCloexec(int fd, int floor) {
        return Fds.dupCloexec(fd, floor);
    }

    @Override
    public void closeQuietly(int fd) {
        Fds.closeQuietly(fd);
    }

    @Override
    public void mkfifo(String path, int mode) {
        Native n = Native.get();
        if (n.libc().mkfifo(path, mode) < 0) {
            throw new NativeException("mkfifo " + path, n.lastErrno());
        }
    }

    @Override
    public String readlink(String path) throws IOException {
        return Files.readSymbolicLink(Path.of(path)).toString();
    }

    @Override
    public String readlinkAt(int dir, String relative) throws IOException {
        return HostProc.readLinkAt(dir, relative);
    }

    @Override
    public int openAt(int dir, String relative, int flags) {
        Native n = Native.get();
        int fd = n.libc().openat(dir, DirectoryFd.cString(relative), flags | Fds.O_CLOEXEC, 0);
        if (fd < 0) {
            throw new NativeException("openat /proc/" + relative, n.lastErrno());
        }
        return fd;
    }

    @Override
    public int unixSocket() {
        return UnixSockets.stream();
    }

    @Override
    public void connect(int socket, String path, Duration timeout) {
        UnixSockets.connect(socket, path, timeout);
    }

    @Override
    public void sendFd(int socket, int fd, byte[] payload, String what) {
        UnixSockets.sendFd(socket, fd, payload, what);
    }

    @Override
    public int pidfdGetFd(HeldProcess process, int targetFd) {
        return process.getFd(targetFd);
    }

    @Override
    public void write(int fd, byte[] bytes, String what) {
        Native n = Native.get();
        try (NativeMemory buffer = new NativeMemory(Math.max(1, bytes.length))) {
            NativeMemory.putBytes(buffer.address(), bytes);
            long written = n.retrying(what, () -> n.libc().write(fd, buffer.address(), bytes.length));
            if (written != bytes.length) { // a pipe takes a write of at most PIPE_BUF bytes whole
                throw new IllegalStateException(what + " was cut short: " + written + " of " + bytes.length + " bytes");
            }
        }
    }

    @Override
    public boolean awaitReadable(int fd, int timeoutMillis) {
        Native n = Native.get();
        try (NativeMemory pollFd = new NativeMemory(8)) {
            NativeMemory.putInt(pollFd.address(), fd);
            NativeMemory.putInt(pollFd.address() + 4, POLLIN); // events = POLLIN, revents = 0
            int ready = n.libc().poll(pollFd.address(), 1, timeoutMillis);
            if (ready < 0 && n.lastErrno() != Errno.EINTR) {
                throw new NativeException("poll on fd " + fd, n.lastErrno());
            }
            return ready > 0;
        }
    }

    @Override
    public byte[] read(int fd, int max, String what) {
        Native n = Native.get();
        try (NativeMemory buffer = new NativeMemory(Math.max(1, max))) {
            long count = n.retrying(what, () -> n.libc().read(fd, buffer.address(), max));
            return NativeMemory.getBytes(buffer.address(), (int) count);
        }
    }

    @Override
    public HeldProcess openChild(long pid) {
        return Pidfd.open(pid);
    }

    @Override
    public HeldProcess openProcess(long pid, long startTime, long pidfsInode) {
        Pidfd process = Pidfd.openIfAny(pid);
        if (process == null) {
            return null;
        }
        // the pidfd may name a process that has since ended and whose pid another took: the start
        // time is that other's then, and the pidfd's signals fail (ESRCH); one that took it within
        // the same tick has the same start time, but not the same pidfs inode
        long started = ProcessStartTime.of(pid);
        if (started < 0
                || (startTime > 0 && started != startTime)
                || (pidfsInode > 0 && process.pidfsInode() != pidfsInode)
                || !process.signal(0)) {
            process.close();
            return null;
        }
        return process;
    }

    @Override
    public void resizeTerminal(int fd, int columns, int rows) {
        Pty.resize(fd, columns, rows);
    }
}
