package io.isola.ffm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
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

    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE));

    private static final MethodHandle CALLOC = call("calloc", JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle FREE = call("free", null, JAVA_LONG);
    private static final MethodHandle GETCONTEXT = call("getcontext", JAVA_INT, JAVA_LONG);
    /** makecontext(ucp, func, argc, ...): the six words are variadic. */
    private static final MethodHandle MAKECONTEXT = LINKER.downcallHandle(
            address("makecontext"),
            FunctionDescriptor.ofVoid(
                    JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(3));
    /** glibc's clone(fn, stack, flags, arg, ...): parent_tid is the first variadic word. */
    private static final MethodHandle CLONE = LINKER.downcallHandle(
            address("clone"),
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(4),
            Linker.Option.captureCallState("errno"));

    private static final MethodHandle PTHREAD_SIGMASK =
            call("pthread_sigmask", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle WRITE = failing("write", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle ERRNO_LOCATION = call("__errno_location", JAVA_LONG);
    private static final MethodHandle GETEUID = call("geteuid", JAVA_INT);
    /** prctl(option, ...): variadic in glibc; the four words after the option. */
    private static final MethodHandle PRCTL = LINKER.downcallHandle(
            address("prctl"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1),
            Linker.Option.captureCallState("errno"));

    private static final MethodHandle SOCKET = failing("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle CONNECT = failing("connect", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT);
    private static final MethodHandle SENDMSG = failing("sendmsg", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT);
    private static final MethodHandle RECVMSG = failing("recvmsg", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT);
    private static final MethodHandle SEND = failing("send", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT);
    private static final MethodHandle READ = failing("read", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle CLOSE = failing("close", JAVA_INT, JAVA_INT);
    /** fcntl(fd, cmd, ...): the argument is variadic. */
    private static final MethodHandle FCNTL = LINKER.downcallHandle(
            address("fcntl"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2),
            Linker.Option.captureCallState("errno"));

    private static final MethodHandle PIDFD_OPEN = failing("pidfd_open", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle PIDFD_SEND_SIGNAL =
            failing("pidfd_send_signal", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT);
    private static final MethodHandle POLL = failing("poll", JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT);
    private static final MethodHandle WAITID = failing("waitid", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT);
    /** syscall(number, ...): the arguments are variadic. */
    private static final MethodHandle SYSCALL = LINKER.downcallHandle(
            address("syscall"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1),
            Linker.Option.captureCallState("errno"));

    private final Map<String, Long> symbols = new ConcurrentHashMap<>();

    public FfmThinLibc() {}

    private static MemorySegment address(String name) {
        return LINKER.defaultLookup()
                .find(name)
                .orElseThrow(() -> new IllegalArgumentException("libc has no function \"" + name + "\""));
    }

    private static FunctionDescriptor descriptor(MemoryLayout result, MemoryLayout... parameters) {
        return result == null ? FunctionDescriptor.ofVoid(parameters) : FunctionDescriptor.of(result, parameters);
    }

    /** A call whose errno nobody reads. */
    private static MethodHandle call(String name, MemoryLayout result, MemoryLayout... parameters) {
        return LINKER.downcallHandle(address(name), descriptor(result, parameters));
    }

    /** A call that reports failures in errno: its handle takes the thread's capture segment first. */
    private static MethodHandle failing(String name, MemoryLayout result, MemoryLayout... parameters) {
        return LINKER.downcallHandle(
                address(name), descriptor(result, parameters), Linker.Option.captureCallState("errno"));
    }

    private static IllegalStateException failed(String call, Throwable e) {
        return new IllegalStateException("calling libc's " + call + " through the FFM API", e);
    }

    // memory

    @Override
    public long allocate(long size) {
        long address;
        try {
            address = (long) CALLOC.invokeExact(1L, size);
        } catch (Throwable e) {
            throw failed("calloc", e);
        }
        if (address == 0) {
            throw new OutOfMemoryError("cannot allocate " + size + " bytes of native memory");
        }
        return address;
    }

    @Override
    public void free(long address, long size) {
        try {
            FREE.invokeExact(address);
        } catch (Throwable e) {
            throw failed("free", e);
        }
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
        try {
            return (int) GETCONTEXT.invokeExact(ucp);
        } catch (Throwable e) {
            throw failed("getcontext", e);
        }
    }

    @Override
    public void makecontext(long ucp, long function, int argc, long a0, long a1, long a2, long a3, long a4, long a5) {
        try {
            MAKECONTEXT.invokeExact(ucp, function, argc, a0, a1, a2, a3, a4, a5);
        } catch (Throwable e) {
            throw failed("makecontext", e);
        }
    }

    @Override
    public int clone(long function, long stackTop, int flags, long arg, long parentTid) {
        try {
            return (int) CLONE.invokeExact(STATE.get(), function, stackTop, flags, arg, parentTid);
        } catch (Throwable e) {
            throw failed("clone", e);
        }
    }

    @Override
    public int pthread_sigmask(int how, long set, long oldSet) {
        try {
            return (int) PTHREAD_SIGMASK.invokeExact(how, set, oldSet);
        } catch (Throwable e) {
            throw failed("pthread_sigmask", e);
        }
    }

    @Override
    public long write(int fd, long buffer, long count) {
        try {
            return (long) WRITE.invokeExact(STATE.get(), fd, buffer, count);
        } catch (Throwable e) {
            throw failed("write", e);
        }
    }

    @Override
    public long errnoLocation() {
        try {
            return (long) ERRNO_LOCATION.invokeExact();
        } catch (Throwable e) {
            throw failed("__errno_location", e);
        }
    }

    @Override
    public int geteuid() {
        try {
            return (int) GETEUID.invokeExact();
        } catch (Throwable e) {
            throw failed("geteuid", e);
        }
    }

    @Override
    public int prctl(int option, long arg2, long arg3, long arg4, long arg5) {
        try {
            return (int) PRCTL.invokeExact(STATE.get(), option, arg2, arg3, arg4, arg5);
        } catch (Throwable e) {
            throw failed("prctl", e);
        }
    }

    @Override
    public int lastErrno() {
        return (int) ERRNO.get(STATE.get(), 0L);
    }

    // the socket's calls

    @Override
    public int socket(int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(STATE.get(), domain, type, protocol);
        } catch (Throwable e) {
            throw failed("socket", e);
        }
    }

    @Override
    public int connect(int fd, long address, int length) {
        try {
            return (int) CONNECT.invokeExact(STATE.get(), fd, address, length);
        } catch (Throwable e) {
            throw failed("connect", e);
        }
    }

    @Override
    public long sendmsg(int fd, long message, int flags) {
        try {
            return (long) SENDMSG.invokeExact(STATE.get(), fd, message, flags);
        } catch (Throwable e) {
            throw failed("sendmsg", e);
        }
    }

    @Override
    public long recvmsg(int fd, long message, int flags) {
        try {
            return (long) RECVMSG.invokeExact(STATE.get(), fd, message, flags);
        } catch (Throwable e) {
            throw failed("recvmsg", e);
        }
    }

    @Override
    public long send(int fd, long buffer, long length, int flags) {
        try {
            return (long) SEND.invokeExact(STATE.get(), fd, buffer, length, flags);
        } catch (Throwable e) {
            throw failed("send", e);
        }
    }

    @Override
    public long read(int fd, long buffer, long count) {
        try {
            return (long) READ.invokeExact(STATE.get(), fd, buffer, count);
        } catch (Throwable e) {
            throw failed("read", e);
        }
    }

    @Override
    public int close(int fd) {
        try {
            return (int) CLOSE.invokeExact(STATE.get(), fd);
        } catch (Throwable e) {
            throw failed("close", e);
        }
    }

    // the thin create's own

    @Override
    public int fcntl(int fd, int command, int arg) {
        try {
            return (int) FCNTL.invokeExact(STATE.get(), fd, command, arg);
        } catch (Throwable e) {
            throw failed("fcntl", e);
        }
    }

    @Override
    public int pidfdOpen(int pid) {
        try {
            return (int) PIDFD_OPEN.invokeExact(STATE.get(), pid, 0);
        } catch (Throwable e) {
            throw failed("pidfd_open", e);
        }
    }

    @Override
    public int pidfdSendSignal(int pidfd, int signal) {
        try {
            return (int) PIDFD_SEND_SIGNAL.invokeExact(STATE.get(), pidfd, signal, 0L, 0);
        } catch (Throwable e) {
            throw failed("pidfd_send_signal", e);
        }
    }

    @Override
    public int poll(long fds, int count, int timeoutMillis) {
        try {
            return (int) POLL.invokeExact(STATE.get(), fds, (long) count, timeoutMillis);
        } catch (Throwable e) {
            throw failed("poll", e);
        }
    }

    @Override
    public int waitid(int idType, int id, long info, int options) {
        try {
            return (int) WAITID.invokeExact(STATE.get(), idType, id, info, options);
        } catch (Throwable e) {
            throw failed("waitid", e);
        }
    }

    @Override
    public long syscall(long number, long a1, long a2, long a3, long a4) {
        try {
            return (long) SYSCALL.invokeExact(STATE.get(), number, a1, a2, a3, a4);
        } catch (Throwable e) {
            throw failed("syscall", e);
        }
    }
}
