package io.isola.internal.nativ;

/**
 * Native memory by raw address, as a cloning process writes a chain and a socket message: one
 * implementation on jffi (JDK 17 on, {@link JnrCloneLibc}) and one on {@code java.lang.foreign}
 * (JDK 22 on, the isola-ffm module), so that the code that lays the bytes out is written once.
 */
public interface ForeignMemory {

    /** A zeroed block of {@code size} bytes, freed with {@link #free}; never 0. */
    long allocate(long size);

    void free(long address, long size);

    void putByte(long address, byte value);

    void putInt(long address, int value);

    void putLong(long address, long value);

    int getInt(long address);

    long getLong(long address);

    void putBytes(long address, byte[] bytes, int offset, int length);

    void getBytes(long address, byte[] into, int offset, int length);

    void copy(long from, long to, long length);

    void zero(long address, long length);

    default void putBytes(long address, byte[] bytes) {
        putBytes(address, bytes, 0, bytes.length);
    }
}
