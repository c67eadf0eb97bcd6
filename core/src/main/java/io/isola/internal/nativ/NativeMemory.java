package io.isola.internal.nativ;

import com.kenai.jffi.MemoryIO;
import java.nio.charset.StandardCharsets;

/**
 * One block of native memory, freed explicitly (never by the garbage collector, so the amount in
 * use stays flat however many containers start).
 */
public final class NativeMemory implements AutoCloseable {

    private static final MemoryIO IO = MemoryIO.getInstance();
    private static final java.util.concurrent.atomic.AtomicLong LIVE_BYTES =
            new java.util.concurrent.atomic.AtomicLong();

    private final long address;
    private final long size;
    private boolean freed;

    public NativeMemory(long size) {
        this.size = size;
        this.address = allocateCounted(size);
    }

    /** A zeroed block counted in {@link #liveBytes}, for {@link JnrCloneLibc}. */
    static long allocateCounted(long size) {
        long address = IO.allocateMemory(size, true);
        if (address == 0) {
            throw new OutOfMemoryError("cannot allocate " + size + " bytes of native memory");
        }
        LIVE_BYTES.addAndGet(size);
        return address;
    }

    static void freeCounted(long address, long size) {
        IO.freeMemory(address);
        LIVE_BYTES.addAndGet(-size);
    }

    /** Bytes allocated through this class and not freed yet: what a leak check compares. */
    public static long liveBytes() {
        return LIVE_BYTES.get();
    }

    public long address() {
        return address;
    }

    public long size() {
        return size;
    }

    public static void putLong(long address, long value) {
        IO.putLong(address, value);
    }

    public static void putShort(long address, short value) {
        IO.putShort(address, value);
    }

    public static short getShort(long address) {
        return IO.getShort(address);
    }

    public static void putInt(long address, int value) {
        IO.putInt(address, value);
    }

    public static int getInt(long address) {
        return IO.getInt(address);
    }

    public static long getLong(long address) {
        return IO.getLong(address);
    }

    public static void putBytes(long address, byte[] bytes) {
        IO.putByteArray(address, bytes, 0, bytes.length);
    }

    static void putBytes(long address, byte[] bytes, int offset, int length) {
        IO.putByteArray(address, bytes, offset, length);
    }

    static void getBytes(long address, byte[] into, int offset, int length) {
        IO.getByteArray(address, into, offset, length);
    }

    static void putByte(long address, byte value) {
        IO.putByte(address, value);
    }

    public static byte[] getBytes(long address, int length) {
        byte[] bytes = new byte[length];
        IO.getByteArray(address, bytes, 0, length);
        return bytes;
    }

    public static void copy(long from, long to, long length) {
        IO.copyMemory(from, to, length);
    }

    public static void zero(long address, long length) {
        IO.setMemory(address, length, (byte) 0);
    }

    /** Writes {@code text} as UTF-8 with a terminating NUL; returns the bytes written. */
    public static int putString(long address, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        IO.putByteArray(address, bytes, 0, bytes.length);
        IO.putByte(address + bytes.length, (byte) 0);
        return bytes.length + 1;
    }

    @Override
    public void close() {
        if (!freed) {
            freed = true;
            freeCounted(address, size);
        }
    }
}
