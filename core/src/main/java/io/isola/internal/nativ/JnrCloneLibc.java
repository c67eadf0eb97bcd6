package io.isola.internal.nativ;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** {@link CloneLibc} on the runtime's jnr-ffi binding ({@link Native}) and jffi's memory. */
public final class JnrCloneLibc implements CloneLibc {

    private static final class Holder {
        static final JnrCloneLibc INSTANCE = new JnrCloneLibc(Native.get());
    }

    private final Native n;
    private final LibC libc;
    private final Map<String, Long> symbols = new ConcurrentHashMap<>();

    JnrCloneLibc(Native n) {
        this.n = n;
        this.libc = n.libc();
    }

    public static JnrCloneLibc get() {
        return Holder.INSTANCE;
    }

    @Override
    public long allocate(long size) {
        return NativeMemory.allocateCounted(size);
    }

    @Override
    public void free(long address, long size) {
        NativeMemory.freeCounted(address, size);
    }

    @Override
    public void putByte(long address, byte value) {
        NativeMemory.putByte(address, value);
    }

    @Override
    public void putInt(long address, int value) {
        NativeMemory.putInt(address, value);
    }

    @Override
    public void putLong(long address, long value) {
        NativeMemory.putLong(address, value);
    }

    @Override
    public int getInt(long address) {
        return NativeMemory.getInt(address);
    }

    @Override
    public long getLong(long address) {
        return NativeMemory.getLong(address);
    }

    @Override
    public void putBytes(long address, byte[] bytes, int offset, int length) {
        NativeMemory.putBytes(address, bytes, offset, length);
    }

    @Override
    public void getBytes(long address, byte[] into, int offset, int length) {
        NativeMemory.getBytes(address, into, offset, length);
    }

    @Override
    public void copy(long from, long to, long length) {
        NativeMemory.copy(from, to, length);
    }

    @Override
    public void zero(long address, long length) {
        NativeMemory.zero(address, length);
    }

    @Override
    public long symbol(String name) {
        return symbols.computeIfAbsent(name, n::symbol);
    }

    @Override
    public int getcontext(long ucp) {
        return libc.getcontext(ucp);
    }

    @Override
    public void makecontext(long ucp, long function, int argc, long a0, long a1, long a2, long a3, long a4, long a5) {
        libc.makecontext(ucp, function, argc, a0, a1, a2, a3, a4, a5);
    }

    @Override
    public int clone(long function, long stackTop, int flags, long arg, long parentTid) {
        return libc.clone(function, stackTop, flags, arg, parentTid);
    }

    @Override
    public int pthread_sigmask(int how, long set, long oldSet) {
        return libc.pthread_sigmask(how, set, oldSet);
    }

    @Override
    public long write(int fd, long buffer, long count) {
        return libc.write(fd, buffer, count);
    }

    @Override
    public long errnoLocation() {
        return libc.__errno_location();
    }

    @Override
    public int geteuid() {
        return libc.geteuid();
    }

    @Override
    public int prctl(int option, long arg2, long arg3, long arg4, long arg5) {
        return libc.prctl(option, arg2, arg3, arg4, arg5);
    }

    @Override
    public int setns(int fd, int nstype) {
        return libc.setns(fd, nstype);
    }

    @Override
    public int open(String path, int flags) {
        return libc.open(path, flags, 0);
    }

    @Override
    public int close(int fd) {
        return libc.close(fd);
    }

    @Override
    public int lastErrno() {
        return n.lastErrno();
    }
}
