package io.isola.ffm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import io.isola.internal.nativ.ThinLibc;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link ThinLibc} on the Foreign Function and Memory API (JDK 22): a thin create's JVM binds libc
 * with it in a few ms and loads no jnr-ffi or jffi, whose own start (jffi's native stub, jnr-ffi's
 * ASM-generated classes, which no class-data archive holds) was most of that JVM's time (issue
 * 17). Pointers are plain addresses ({@code long}) into memory from {@link #allocate}, as with
 * jnr-ffi, so the chain's code is the same for both; a pointer and a C {@code int} both travel in
 * an integer register on x86_64 and aarch64. The calls that can fail capture errno into a
 * per-thread segment, which {@link #lastErrno} reads, as jffi keeps it per thread.
 *
 * <p>The JVM needs {@code --enable-native-access=ALL-UNNAMED} (bin/isola gives it) or it warns on
 * stderr, an engine's log.
 */
public final class FfmThinLibc implements ThinLibc {

    private static final Linker LINKER = Linker.nativeLinker();
    /** All of memory as one segment: the addresses come from libc and {@link #allocate}, as jffi's do. */
    private static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    /** The most words a call passes: makecontext's ucp, func, argc and its six. */
    private static final int WORDS = 9;

    private static final Linker.Option ERRNO_CAPTURE = Linker.Option.captureCallState("errno");
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> STATE = new ThreadLocal<>();

    /**
     * Every call is declared with one descriptor, nine machine words, all but the first variadic
     * (a C {@code int} argument is read from the low half of its register, an {@code int} result
     * is cut from the word), so that the linker spins one shape's stub and method-handle classes
     * (LambdaForms and a {@code DowncallStub}, which no AOT cache holds) and only binds an address
     * per function: a JVM that binds these 27 and calls one took 150 ms of CPU with five shapes,
     * 100 with one (load ~10, C1). On x86_64 and aarch64 Linux, the only machines isola runs on, a variadic
     * call passes its integer words exactly as a fixed one does (x86_64 also sets %al, the
     * vector registers used, which a fixed-arity callee ignores), so the one descriptor is right
     * for the variadic functions (makecontext, clone, prctl, open, fcntl, syscall) and the others
     * alike; a callee never reads the words it has no parameter for. Every call captures errno.
     */
    private static final MethodHandle CALLOC = bind("calloc");

    private static final MethodHandle FREE = bind("free");
    private static final MethodHandle GETCONTEXT = bind("getcontext");
    private static final MethodHandle MAKECONTEXT = bind("makecontext");
    /** glibc's clone(fn, stack, flags, arg, ...): parent_tid is the first variadic word. */
    private static final MethodHandle CLONE = bind("clone");

    private static final MethodHandle PTHREAD_SIGMASK = bind("pthread_sigmask");
    private static final MethodHandle WRITE = bind("write");
    private static final MethodHandle ERRNO_LOCATION = bind("__errno_location");
    private static final MethodHandle GETEUID = bind("geteuid");
    private static final MethodHandle PRCTL = bind("prctl");

    private static final MethodHandle SETNS = bind("setns");
    /** open(path, flags, ...): the mode is not passed (no O_CREAT). */
    private static final MethodHandle OPEN = bind("open");

    private static final MethodHandle SOCKET = bind("socket");
    private static final MethodHandle CONNECT = bind("connect");
    private static final MethodHandle SENDMSG = bind("sendmsg");
    private static final MethodHandle RECVMSG = bind("recvmsg");
    private static final MethodHandle SEND = bind("send");
    private static final MethodHandle READ = bind("read");
    private static final MethodHandle CLOSE = bind("close");
    private static final MethodHandle FCNTL = bind("fcntl");

    private static final MethodHandle PIDFD_OPEN = bind("pidfd_open");
    private static final MethodHandle PIDFD_SEND_SIGNAL = bind("pidfd_send_signal");
    private static final MethodHandle POLL = bind("poll");
    private static final MethodHandle WAITID = bind("waitid");
    private static final MethodHandle SYSCALL = bind("syscall");

    private final Map<String, Long> symbols = new ConcurrentHashMap<>();

    public FfmThinLibc() {}

    private static MemorySegment address(String name) {
        MemorySegment address = LINKER.defaultLookup().find(name).orElse(null); // no lambda, as above
        if (address == null) {
            throw new IllegalArgumentException("libc has no function \"" + name + "\"");
        }
        return address;
    }

    /** {@code name}'s address bound to the one descriptor: one word, then {@link #WORDS} - 1 variadic ones. */
    private static MethodHandle bind(String name) {
        MemoryLayout[] words = new MemoryLayout[WORDS];
        Arrays.fill(words, JAVA_LONG);
        return LINKER.downcallHandle(
                address(name),
                FunctionDescriptor.of(JAVA_LONG, words),
                Linker.Option.firstVariadicArg(1),
                ERRNO_CAPTURE);
    }

    private static IllegalStateException failed(String call, Throwable e) {
        return new IllegalStateException("calling libc's " + call + " through the FFM API", e);
    }

    private static long call(MethodHandle function, String name, long a, long b, long c, long d, long e) {
        return call(function, name, a, b, c, d, e, 0, 0, 0, 0);
    }

    private static long call(
            MethodHandle function,
            String name,
            long a,
            long b,
            long c,
            long d,
            long e,
            long f,
            long g,
            long h,
            long i) {
        try {
            return (long) function.invokeExact(state(), a, b, c, d, e, f, g, h, i);
        } catch (Throwable t) {
            throw failed(name, t);
        }
    }

    /** This thread's errno slot; no lambda ({@code ThreadLocal.withInitial}): a thin JVM's first costs. */
    private static MemorySegment state() {
        MemorySegment state = STATE.get();
        if (state == null) {
            state = Arena.ofAuto().allocate(CALL_STATE);
            STATE.set(state);
        }
        return state;
    }

    // memory

    @Override
    public long allocate(long size) {
        long address = call(CALLOC, "calloc", 1L, size, 0, 0, 0);
        if (address == 0) {
            throw new OutOfMemoryError("cannot allocate " + size + " bytes of native memory");
        }
        return address;
    }

    @Override
    public void free(long address, long size) {
        call(FREE, "free", address, 0, 0, 0, 0);
    }

    @Override
    public void putByte(long address, byte value) {
        ALL.set(JAVA_BYTE, address, value);
    }

    @Override
    public void putInt(long address, int value) {
        ALL.set(JAVA_INT_UNALIGNED, address, value);
    }

    @Override
    public void putLong(long address, long value) {
        ALL.set(JAVA_LONG_UNALIGNED, address, value);
    }

    @Override
    public int getInt(long address) {
        return ALL.get(JAVA_INT_UNALIGNED, address);
    }

    @Override
    public long getLong(long address) {
        return ALL.get(JAVA_LONG_UNALIGNED, address);
    }

    @Override
    public void putBytes(long address, byte[] bytes, int offset, int length) {
        MemorySegment.copy(bytes, offset, ALL, JAVA_BYTE, address, length);
    }

    @Override
    public void getBytes(long address, byte[] into, int offset, int length) {
        MemorySegment.copy(ALL, JAVA_BYTE, address, into, offset, length);
    }

    @Override
    public void copy(long from, long to, long length) {
        MemorySegment.copy(ALL, from, ALL, to, length);
    }

    @Override
    public void zero(long address, long length) {
        ALL.asSlice(address, length).fill((byte) 0);
    }

    // the chain's calls

    @Override
    public long symbol(String name) {
        Long known = symbols.get(name); // no lambda (computeIfAbsent): a thin JVM's first costs
        if (known == null) {
            known = address(name).address();
            symbols.put(name, known);
        }
        return known;
    }

    @Override
    public int getcontext(long ucp) {
        return (int) call(GETCONTEXT, "getcontext", ucp, 0, 0, 0, 0);
    }

    @Override
    public void makecontext(long ucp, long function, int argc, long a0, long a1, long a2, long a3, long a4, long a5) {
        call(MAKECONTEXT, "makecontext", ucp, function, argc, a0, a1, a2, a3, a4, a5);
    }

    @Override
    public int clone(long function, long stackTop, int flags, long arg, long parentTid) {
        return (int) call(CLONE, "clone", function, stackTop, flags, arg, parentTid);
    }

    @Override
    public int pthread_sigmask(int how, long set, long oldSet) {
        return (int) call(PTHREAD_SIGMASK, "pthread_sigmask", how, set, oldSet, 0, 0);
    }

    @Override
    public long write(int fd, long buffer, long count) {
        return call(WRITE, "write", fd, buffer, count, 0, 0);
    }

    @Override
    public long errnoLocation() {
        return call(ERRNO_LOCATION, "__errno_location", 0, 0, 0, 0, 0);
    }

    @Override
    public int geteuid() {
        return (int) call(GETEUID, "geteuid", 0, 0, 0, 0, 0);
    }

    @Override
    public int prctl(int option, long arg2, long arg3, long arg4, long arg5) {
        return (int) call(PRCTL, "prctl", option, arg2, arg3, arg4, arg5);
    }

    @Override
    public int setns(int fd, int nstype) {
        return (int) call(SETNS, "setns", fd, nstype, 0, 0, 0);
    }

    @Override
    public int open(String path, int flags) {
        byte[] name = path.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        long address = allocate(name.length + 1L); // zeroed: the terminating NUL
        try {
            putBytes(address, name, 0, name.length);
            return (int) call(OPEN, "open", address, flags, 0, 0, 0);
        } finally {
            free(address, name.length + 1L);
        }
    }

    @Override
    public int lastErrno() {
        return (int) ERRNO.get(state(), 0L);
    }

    // the socket's calls

    @Override
    public int socket(int domain, int type, int protocol) {
        return (int) call(SOCKET, "socket", domain, type, protocol, 0, 0);
    }

    @Override
    public int connect(int fd, long address, int length) {
        return (int) call(CONNECT, "connect", fd, address, length, 0, 0);
    }

    @Override
    public long sendmsg(int fd, long message, int flags) {
        return call(SENDMSG, "sendmsg", fd, message, flags, 0, 0);
    }

    @Override
    public long recvmsg(int fd, long message, int flags) {
        return call(RECVMSG, "recvmsg", fd, message, flags, 0, 0);
    }

    @Override
    public long send(int fd, long buffer, long length, int flags) {
        return call(SEND, "send", fd, buffer, length, flags, 0);
    }

    @Override
    public long read(int fd, long buffer, long count) {
        return call(READ, "read", fd, buffer, count, 0, 0);
    }

    @Override
    public int close(int fd) {
        return (int) call(CLOSE, "close", fd, 0, 0, 0, 0);
    }

    // the thin create's own

    @Override
    public int fcntl(int fd, int command, int arg) {
        return (int) call(FCNTL, "fcntl", fd, command, arg, 0, 0);
    }

    @Override
    public int pidfdOpen(int pid) {
        return (int) call(PIDFD_OPEN, "pidfd_open", pid, 0, 0, 0, 0);
    }

    @Override
    public int pidfdSendSignal(int pidfd, int signal) {
        return (int) call(PIDFD_SEND_SIGNAL, "pidfd_send_signal", pidfd, signal, 0L, 0, 0);
    }

    @Override
    public int poll(long fds, int count, int timeoutMillis) {
        return (int) call(POLL, "poll", fds, (long) count, timeoutMillis, 0, 0);
    }

    @Override
    public int waitid(int idType, int id, long info, int options) {
        return (int) call(WAITID, "waitid", idType, id, info, options, 0);
    }

    @Override
    public long syscall(long number, long a1, long a2, long a3, long a4) {
        return call(SYSCALL, "syscall", number, a1, a2, a3, a4);
    }
}
