package io.isola.launcher.client;

import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Function;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.LastError;
import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;
import io.isola.internal.nativ.SocketLibc;

/**
 * {@link SocketLibc} through jffi without jnr-ffi: jnr-ffi's binding generator would cost the JVM
 * client ~200 ms; a few jffi calls cost a few ms, and bin/isola-cds's client archive holds their
 * classes. An int returned through jffi's native-word call has an upper half that is not the
 * sign's, hence the casts.
 */
final class JffiSocketLibc implements SocketLibc {

    static final JffiSocketLibc INSTANCE = new JffiSocketLibc();

    private static final class Libc {
        static final Library LIBRARY = Library.getCachedInstance("libc.so.6", Library.LAZY);
        static final Function SOCKET = function("socket", Type.SINT, Type.SINT, Type.SINT, Type.SINT);
        static final Function CONNECT = function("connect", Type.SINT, Type.SINT, Type.POINTER, Type.UINT);
        static final Function SENDMSG = function("sendmsg", Type.SLONG, Type.SINT, Type.POINTER, Type.SINT);
        static final Function SEND = function("send", Type.SLONG, Type.SINT, Type.POINTER, Type.ULONG, Type.SINT);
        static final Function RECVMSG = function("recvmsg", Type.SLONG, Type.SINT, Type.POINTER, Type.SINT);
        static final Function READ = function("read", Type.SLONG, Type.SINT, Type.POINTER, Type.ULONG);
        static final Function CLOSE = function("close", Type.SINT, Type.SINT);

        private static Function function(String name, Type result, Type... parameters) {
            long address = LIBRARY.getSymbolAddress(name);
            if (address == 0) {
                throw new IllegalStateException("libc has no function \"" + name + "\"");
            }
            return new Function(address, result, parameters, CallingConvention.DEFAULT, true);
        }
    }

    private final MemoryIO memory = MemoryIO.getInstance();
    private final Invoker invoker = Invoker.getInstance();

    private JffiSocketLibc() {}

    /** Binds the socket's functions now rather than at the first call; their library. */
    static Library bind() {
        return Libc.LIBRARY;
    }

    @Override
    public int socket(int domain, int type, int protocol) {
        return (int) invoker.invokeN3(
                Libc.SOCKET.getCallContext(), Libc.SOCKET.getFunctionAddress(), domain, type, protocol);
    }

    @Override
    public int connect(int fd, long address, int length) {
        return (int)
                invoker.invokeN3(Libc.CONNECT.getCallContext(), Libc.CONNECT.getFunctionAddress(), fd, address, length);
    }

    @Override
    public long sendmsg(int fd, long message, int flags) {
        return invoker.invokeN3(Libc.SENDMSG.getCallContext(), Libc.SENDMSG.getFunctionAddress(), fd, message, flags);
    }

    @Override
    public long recvmsg(int fd, long message, int flags) {
        return invoker.invokeN3(Libc.RECVMSG.getCallContext(), Libc.RECVMSG.getFunctionAddress(), fd, message, flags);
    }

    @Override
    public long send(int fd, long buffer, long length, int flags) {
        return invoker.invokeN4(Libc.SEND.getCallContext(), Libc.SEND.getFunctionAddress(), fd, buffer, length, flags);
    }

    @Override
    public long read(int fd, long buffer, long count) {
        return invoker.invokeN3(Libc.READ.getCallContext(), Libc.READ.getFunctionAddress(), fd, buffer, count);
    }

    @Override
    public int close(int fd) {
        return (int) invoker.invokeN1(Libc.CLOSE.getCallContext(), Libc.CLOSE.getFunctionAddress(), fd);
    }

    @Override
    public int lastErrno() {
        return LastError.getInstance().get();
    }

    @Override
    public long allocate(long size) {
        long address = memory.allocateMemory(size, true);
        if (address == 0) {
            throw new OutOfMemoryError("cannot allocate " + size + " bytes of native memory");
        }
        return address;
    }

    @Override
    public void free(long address, long size) {
        memory.freeMemory(address);
    }

    @Override
    public void putByte(long address, byte value) {
        memory.putByte(address, value);
    }

    @Override
    public void putInt(long address, int value) {
        memory.putInt(address, value);
    }

    @Override
    public void putLong(long address, long value) {
        memory.putLong(address, value);
    }

    @Override
    public int getInt(long address) {
        return memory.getInt(address);
    }

    @Override
    public long getLong(long address) {
        return memory.getLong(address);
    }

    @Override
    public void putBytes(long address, byte[] bytes, int offset, int length) {
        memory.putByteArray(address, bytes, offset, length);
    }

    @Override
    public void getBytes(long address, byte[] into, int offset, int length) {
        memory.getByteArray(address, into, offset, length);
    }

    @Override
    public void copy(long from, long to, long length) {
        memory.copyMemory(from, to, length);
    }

    @Override
    public void zero(long address, long length) {
        memory.setMemory(address, length, (byte) 0);
    }
}
