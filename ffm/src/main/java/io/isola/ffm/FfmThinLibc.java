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

    private static final int WORDS = 4;
    private static final Linker.Option ERRNO_CAPTURE = Linker.Option.captureCallState("errno");
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE));

    /**
     * Every call is declared with machine words only (a C {@code int} argument is read from the
     * low half of its register, an {@code int} result is cut from the word), so that the calls
     * share five shapes: the linker makes each shape's stub and binding classes (a hundred-odd
     * method-handle classes spun at run time, which no AOT cache holds) once and only binds an
     * address per function; a shape per function cost a cold JVM several hundred ms of CPU at
     * load ~15. Every call captures errno.
     */
    private static final MethodHandle CALLOC = words("calloc", 2);

    private static final MethodHandle FREE = words("free", 1);
    private static final MethodHandle GETCONTEXT = words("getcontext", 1);
    /** makecontext(ucp, func, argc, ...): the six words are variadic. */
    private static final MethodHandle MAKECONTEXT = variadic("makecontext", 3, 6);
    /** glibc's clone(fn, stack, flags, arg, ...): parent_tid is the first variadic word. */
    private static final MethodHandle CLONE = variadic("clone", 4, 1);

    private static final MethodHandle PTHREAD_SIGMASK = words("pthread_sigmask", 3);
    private static final MethodHandle WRITE = words("write", 3);
    private static final MethodHandle ERRNO_LOCATION = words("__errno_location", 0);
    private static final MethodHandle GETEUID = words("geteuid", 0);
    /** prctl(option, ...): the four words after the option are variadic. */
    private static final MethodHandle PRCTL = variadic("prctl", 1, 4);

    private static final MethodHandle SETNS = words("setns", 2);
    /** open(path, flags, ...): the mode is variadic, and not passed. */
    private static final MethodHandle OPEN = variadic("open", 2, 1);

    private static final MethodHandle SOCKET = words("socket", 3);
    private static final MethodHandle CONNECT = words("connect", 3);
    private static final MethodHandle SENDMSG = words("sendmsg", 3);
    private static final MethodHandle RECVMSG = words("recvmsg", 3);
    private static final MethodHandle SEND = words("send", 4);
    private static final MethodHandle READ = words("read", 3);
    private static final MethodHandle CLOSE = words("close", 1);
    /** fcntl(fd, cmd, ...): the argument is variadic. */
    private static final MethodHandle FCNTL = variadic("fcntl", 2, 1);

    private static final MethodHandle PIDFD_OPEN = words("pidfd_open", 2);
    private static final MethodHandle PIDFD_SEND_SIGNAL = words("pidfd_send_signal", 4);
    private static final MethodHandle POLL = words("poll", 3);
    private static final MethodHandle WAITID = words("waitid", 4);
    /** syscall(number, ...): the arguments are variadic. */
    private static final MethodHandle SYSCALL = variadic("syscall", 1, 4);

    private final Map<String, Long> symbols = new ConcurrentHashMap<>();

    public FfmThinLibc() {}

    private static MemorySegment address(String name) {
        return LINKER.defaultLookup()
                .find(name)
                .orElseThrow(() -> new IllegalArgumentException("libc has no function \"" + name + "\""));
    }

    /**
     * {@code name} with up to four words, returning a word, errno captured: declared with four
     * whatever its arity (a callee never reads the argument registers it has no parameter for),
     * so that every such call shares one shape.
     */
    private static MethodHandle words(String name, int arity) {
        if (arity > WORDS) {
            throw new IllegalArgumentException(name + ": " + arity + " arguments, at most " + WORDS);
        }
        return variadic(name, WORDS, 0);
    }

    /** {@code name} with {@code named} words, then {@code variadic} more, returning a word. */
    private static MethodHandle variadic(String name, int named, int variadic) {
        MemoryLayout[] words = new MemoryLayout[named + variadic];
        Arrays.fill(words, JAVA_LONG);
        FunctionDescriptor descriptor = FunctionDescriptor.of(JAVA_LONG, words);
        return variadic == 0
                ? LINKER.downcallHandle(address(name), descriptor, ERRNO_CAPTURE)
                : LINKER.downcallHandle(
                        address(name), descriptor, Linker.Option.firstVariadicArg(named), ERRNO_CAPTURE);
    }

    private static IllegalStateException failed(String call, Throwable e) {
        return new IllegalStateException("calling libc's " + call + " through the FFM API", e);
    }

    private static long call3(MethodHandle function, String name, long a, long b, long c) {
        try {
            return (long) function.invokeExact(STATE.get(), a, b, c);
        } catch (Throwable e) {
            throw failed(name, e);
        }
    }

    private static long call4(MethodHandle function, String name, long a, long b, long c, long d) {
        try {
            return (long) function.invokeExact(STATE.get(), a, b, c, d);
        } catch (Throwable e) {
            throw failed(name, e);
        }
    }

    private static long call5(MethodHandle function, String name, long a, long b, long c, long d, long e) {
        try {
            return (long) function.invokeExact(STATE.get(), a, b, c, d, e);
        } catch (Throwable t) {
            throw failed(name, t);
        }
    }

    private static long call9(
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
            return (long) function.invokeExact(STATE.get(), a, b, c, d, e, f, g, h, i);
        } catch (Throwable t) {
            throw failed(name, t);
        }
    }

    // memory

    @Override
    public long allocate(long size) {
        long address = call4(CALLOC, "calloc", 1L, size, 0, 0);
        if (address == 0) {
            throw new OutOfMemoryError("cannot allocate " + size + " bytes of native memory");
        }
        return address;
    }

    @Override
    public void free(long address, long size) {
        call4(FREE, "free", address, 0, 0, 0);
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
        return symbols.computeIfAbsent(name, s -> address(s).address());
    }

    @Override
    public int getcontext(long ucp) {
        return (int) call4(GETCONTEXT, "getcontext", ucp, 0, 0, 0);
    }

    @Override
    public void makecontext(long ucp, long function, int argc, long a0, long a1, long a2, long a3, long a4, long a5) {
        call9(MAKECONTEXT, "makecontext", ucp, function, argc, a0, a1, a2, a3, a4, a5);
    }

    @Override
    public int clone(long function, long stackTop, int flags, long arg, long parentTid) {
        return (int) call5(CLONE, "clone", function, stackTop, flags, arg, parentTid);
    }

    @Override
    public int pthread_sigmask(int how, long set, long oldSet) {
        return (int) call4(PTHREAD_SIGMASK, "pthread_sigmask", how, set, oldSet, 0);
    }

    @Override
    public long write(int fd, long buffer, long count) {
        return call4(WRITE, "write", fd, buffer, count, 0);
    }

    @Override
    public long errnoLocation() {
        return call4(ERRNO_LOCATION, "__errno_location", 0, 0, 0, 0);
    }

    @Override
    public int geteuid() {
        return (int) call4(GETEUID, "geteuid", 0, 0, 0, 0);
    }

    @Override
    public int prctl(int option, long arg2, long arg3, long arg4, long arg5) {
        return (int) call5(PRCTL, "prctl", option, arg2, arg3, arg4, arg5);
    }

    @Override
    public int setns(int fd, int nstype) {
        return (int) call4(SETNS, "setns", fd, nstype, 0, 0);
    }

    @Override
    public int open(String path, int flags) {
        byte[] name = path.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        long address = allocate(name.length + 1L); // zeroed: the terminating NUL
        try {
            putBytes(address, name, 0, name.length);
            return (int) call3(OPEN, "open", address, flags, 0);
        } finally {
            free(address, name.length + 1L);
        }
    }

    @Override
    public int lastErrno() {
        return (int) ERRNO.get(STATE.get(), 0L);
    }

    // the socket's calls

    @Override
    public int socket(int domain, int type, int protocol) {
        return (int) call4(SOCKET, "socket", domain, type, protocol, 0);
    }

    @Override
    public int connect(int fd, long address, int length) {
        return (int) call4(CONNECT, "connect", fd, address, length, 0);
    }

    @Override
    public long sendmsg(int fd, long message, int flags) {
        return call4(SENDMSG, "sendmsg", fd, message, flags, 0);
    }

    @Override
    public long recvmsg(int fd, long message, int flags) {
        return call4(RECVMSG, "recvmsg", fd, message, flags, 0);
    }

    @Override
    public long send(int fd, long buffer, long length, int flags) {
        return call4(SEND, "send", fd, buffer, length, flags);
    }

    @Override
    public long read(int fd, long buffer, long count) {
        return call4(READ, "read", fd, buffer, count, 0);
    }

    @Override
    public int close(int fd) {
        return (int) call4(CLOSE, "close", fd, 0, 0, 0);
    }

    // the thin create's own

    @Override
    public int fcntl(int fd, int command, int arg) {
        return (int) call3(FCNTL, "fcntl", fd, command, arg);
    }

    @Override
    public int pidfdOpen(int pid) {
        return (int) call4(PIDFD_OPEN, "pidfd_open", pid, 0, 0, 0);
    }

    @Override
    public int pidfdSendSignal(int pidfd, int signal) {
        return (int) call4(PIDFD_SEND_SIGNAL, "pidfd_send_signal", pidfd, signal, 0L, 0);
    }

    @Override
    public int poll(long fds, int count, int timeoutMillis) {
        return (int) call4(POLL, "poll", fds, (long) count, timeoutMillis, 0);
    }

    @Override
    public int waitid(int idType, int id, long info, int options) {
        return (int) call4(WAITID, "waitid", idType, id, info, options);
    }

    @Override
    public long syscall(long number, long a1, long a2, long a3, long a4) {
        return call5(SYSCALL, "syscall", number, a1, a2, a3, a4);
    }
}
