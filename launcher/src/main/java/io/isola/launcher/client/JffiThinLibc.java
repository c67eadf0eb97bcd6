package io.isola.launcher.client;

import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Function;
import com.kenai.jffi.HeapInvocationBuffer;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.LastError;
import com.kenai.jffi.Library;
import com.kenai.jffi.Type;
import io.isola.internal.nativ.ForeignMemory;
import io.isola.internal.nativ.ThinLibc;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * {@link ThinLibc} on raw jffi, as {@link JffiSocketLibc} (whose calls and memory it shares): no
 * jnr-ffi, whose generated classes no archive holds, and no FFM API, whose method handles and
 * stubs a JDK 25 AOT cache does not hold either; jffi's classes are plain ones, in the thin
 * JVM's cache, on JDK 17 as on 25 (issue 17: a standalone JVM binding 25 functions and calling
 * two took 50 ms of CPU on jffi against 80 on the FFM API, -Xint, AOT cache). Every function is
 * declared with its C types (a variadic one with its fixed count, as libffi needs) and saves
 * errno into jffi's per-thread slot, which {@link #lastErrno} reads. An int returned through
 * jffi's native-word call has an upper half that is not the sign's, hence the casts.
 */
public final class JffiThinLibc implements ThinLibc, ForeignMemory.Forwarding {

    /** Every function, bound when the binding is made ({@link #JffiThinLibc()}). */
    private static final class Libc {
        static final Library LIBRARY = Library.getCachedInstance("libc.so.6", Library.LAZY);
        static final Function GETCONTEXT = function("getcontext", Type.SINT, Type.POINTER);
        /** makecontext(ucp, func, argc, ...): the six words as variadic longs, argc of them read. */
        static final Function MAKECONTEXT = variadic(
                "makecontext",
                Type.VOID,
                3,
                Type.POINTER,
                Type.POINTER,
                Type.SINT,
                Type.SLONG,
                Type.SLONG,
                Type.SLONG,
                Type.SLONG,
                Type.SLONG,
                Type.SLONG);
        /** glibc's clone(fn, stack, flags, arg, ...): parent_tid is the first variadic word. */
        static final Function CLONE =
                variadic("clone", Type.SINT, 4, Type.POINTER, Type.POINTER, Type.SINT, Type.POINTER, Type.POINTER);

        static final Function PTHREAD_SIGMASK =
                function("pthread_sigmask", Type.SINT, Type.SINT, Type.POINTER, Type.POINTER);
        static final Function WRITE = function("write", Type.SLONG, Type.SINT, Type.POINTER, Type.ULONG);
        static final Function ERRNO_LOCATION = function("__errno_location", Type.POINTER);
        static final Function GETEUID = function("geteuid", Type.UINT);
        static final Function PRCTL =
                variadic("prctl", Type.SINT, 1, Type.SINT, Type.ULONG, Type.ULONG, Type.ULONG, Type.ULONG);
        static final Function SETNS = function("setns", Type.SINT, Type.SINT, Type.SINT);
        /** open(path, flags, ...): no mode (no O_CREAT). */
        static final Function OPEN = variadic("open", Type.SINT, 2, Type.POINTER, Type.SINT);

        static final Function FCNTL = variadic("fcntl", Type.SINT, 2, Type.SINT, Type.SINT, Type.SINT);
        static final Function PIDFD_OPEN = function("pidfd_open", Type.SINT, Type.SINT, Type.UINT);
        static final Function PIDFD_SEND_SIGNAL =
                function("pidfd_send_signal", Type.SINT, Type.SINT, Type.SINT, Type.POINTER, Type.UINT);
        static final Function POLL = function("poll", Type.SINT, Type.POINTER, Type.ULONG, Type.SINT);
        static final Function WAITID = function("waitid", Type.SINT, Type.SINT, Type.UINT, Type.POINTER, Type.SINT);
        static final Function SYSCALL =
                variadic("syscall", Type.SLONG, 1, Type.SLONG, Type.SLONG, Type.SLONG, Type.SLONG, Type.SLONG);

        static Library bind() {
            return LIBRARY;
        }

        private static Function function(String name, Type result, Type... parameters) {
            return variadic(name, result, parameters.length, parameters);
        }

        private static Function variadic(String name, Type result, int fixed, Type... parameters) {
            return new Function(address(name), result, fixed, parameters, CallingConvention.DEFAULT, true);
        }

        static long address(String name) {
            long address = LIBRARY.getSymbolAddress(name);
            if (address == 0) {
                throw new IllegalArgumentException("libc has no function \"" + name + "\"");
            }
            return address;
        }
    }

    private final JffiSocketLibc socket = JffiSocketLibc.INSTANCE;
    private final Invoker invoker = Invoker.getInstance();
    /** Looked up by the compiling thread only; no lambda (computeIfAbsent): a thin JVM's first costs. */
    private final Map<String, Long> symbols = new HashMap<>();

    /**
     * Binds every function now: without jffi's native stub, or with a libc that lacks one, this
     * throws (a LinkageError or IllegalArgumentException) before anything is sent to the server,
     * and the command runs in-process.
     */
    public JffiThinLibc() {
        Libc.bind();
        JffiSocketLibc.bind();
    }

    @Override
    public ForeignMemory memory() {
        return socket;
    }

    private long call(Function function, long a) {
        return invoker.invokeN1(function.getCallContext(), function.getFunctionAddress(), a);
    }

    private long call(Function function, long a, long b) {
        return invoker.invokeN2(function.getCallContext(), function.getFunctionAddress(), a, b);
    }

    private long call(Function function, long a, long b, long c) {
        return invoker.invokeN3(function.getCallContext(), function.getFunctionAddress(), a, b, c);
    }

    private long call(Function function, long a, long b, long c, long d) {
        return invoker.invokeN4(function.getCallContext(), function.getFunctionAddress(), a, b, c, d);
    }

    private long call(Function function, long a, long b, long c, long d, long e) {
        return invoker.invokeN5(function.getCallContext(), function.getFunctionAddress(), a, b, c, d, e);
    }

    // the chain's calls

    @Override
    public synchronized long symbol(String name) {
        Long known = symbols.get(name);
        if (known == null) {
            known = Libc.address(name);
            symbols.put(name, known);
        }
        return known;
    }

    @Override
    public int getcontext(long ucp) {
        return (int) call(Libc.GETCONTEXT, ucp);
    }

    @Override
    public void makecontext(long ucp, long function, int argc, long a0, long a1, long a2, long a3, long a4, long a5) {
        // nine words: more than jffi's register-only calls take
        HeapInvocationBuffer buffer = new HeapInvocationBuffer(Libc.MAKECONTEXT);
        buffer.putAddress(ucp);
        buffer.putAddress(function);
        buffer.putInt(argc);
        buffer.putLong(a0);
        buffer.putLong(a1);
        buffer.putLong(a2);
        buffer.putLong(a3);
        buffer.putLong(a4);
        buffer.putLong(a5);
        invoker.invokeLong(Libc.MAKECONTEXT, buffer);
    }

    @Override
    public int clone(long function, long stackTop, int flags, long arg, long parentTid) {
        return (int) call(Libc.CLONE, function, stackTop, flags, arg, parentTid);
    }

    @Override
    public int pthread_sigmask(int how, long set, long oldSet) {
        return (int) call(Libc.PTHREAD_SIGMASK, how, set, oldSet);
    }

    @Override
    public long write(int fd, long buffer, long count) {
        return call(Libc.WRITE, fd, buffer, count);
    }

    @Override
    public long errnoLocation() {
        return invoker.invokeN0(Libc.ERRNO_LOCATION.getCallContext(), Libc.ERRNO_LOCATION.getFunctionAddress());
    }

    @Override
    public int geteuid() {
        return (int) invoker.invokeN0(Libc.GETEUID.getCallContext(), Libc.GETEUID.getFunctionAddress());
    }

    @Override
    public int prctl(int option, long arg2, long arg3, long arg4, long arg5) {
        return (int) call(Libc.PRCTL, option, arg2, arg3, arg4, arg5);
    }

    @Override
    public int setns(int fd, int nstype) {
        return (int) call(Libc.SETNS, fd, nstype);
    }

    @Override
    public int open(String path, int flags) {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        long address = allocate(name.length + 1L); // zeroed: the terminating NUL
        try {
            putBytes(address, name, 0, name.length);
            return (int) call(Libc.OPEN, address, flags);
        } finally {
            free(address, name.length + 1L);
        }
    }

    @Override
    public int lastErrno() {
        return LastError.getInstance().get();
    }

    // the socket's calls

    @Override
    public int socket(int domain, int type, int protocol) {
        return socket.socket(domain, type, protocol);
    }

    @Override
    public int connect(int fd, long address, int length) {
        return socket.connect(fd, address, length);
    }

    @Override
    public long sendmsg(int fd, long message, int flags) {
        return socket.sendmsg(fd, message, flags);
    }

    @Override
    public long recvmsg(int fd, long message, int flags) {
        return socket.recvmsg(fd, message, flags);
    }

    @Override
    public long send(int fd, long buffer, long length, int flags) {
        return socket.send(fd, buffer, length, flags);
    }

    @Override
    public long read(int fd, long buffer, long count) {
        return socket.read(fd, buffer, count);
    }

    @Override
    public int close(int fd) {
        return socket.close(fd);
    }

    // the thin create's own

    @Override
    public int fcntl(int fd, int command, int arg) {
        return (int) call(Libc.FCNTL, fd, command, arg);
    }

    @Override
    public int pidfdOpen(int pid) {
        return (int) call(Libc.PIDFD_OPEN, pid, 0);
    }

    @Override
    public int pidfdSendSignal(int pidfd, int signal) {
        return (int) call(Libc.PIDFD_SEND_SIGNAL, pidfd, signal, 0, 0);
    }

    @Override
    public int poll(long fds, int count, int timeoutMillis) {
        return (int) call(Libc.POLL, fds, count, timeoutMillis);
    }

    @Override
    public int waitid(int idType, int id, long info, int options) {
        return (int) call(Libc.WAITID, idType, id, info, options);
    }

    @Override
    public long syscall(long number, long a1, long a2, long a3, long a4) {
        return call(Libc.SYSCALL, number, a1, a2, a3, a4);
    }
}
