package io.isola.internal.nativ;

/**
 * Native memory by raw address, as a cloning process writes a chain and a socket message: one
 * implementation for jnr-ffi's binding ({@link JnrCloneLibc}) and one for the thin client's raw
 * jffi, so that the code that lays the bytes out is written once.
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

    /**
     * Another binding's memory, every call passed on: for a binding composed of two others (the
     * thin create's on jnr-ffi takes the chain's memory), so that the forwarding is written once.
     */
    interface Forwarding extends ForeignMemory {

        /** The memory every call goes to. */
        ForeignMemory memory();

        @Override
        default long allocate(long size) {
            return memory().allocate(size);
        }

        @Override
        default void free(long address, long size) {
            memory().free(address, size);
        }

        @Override
        default void putByte(long address, byte value) {
            memory().putByte(address, value);
        }

        @Override
        default void putInt(long address, int value) {
            memory().putInt(address, value);
        }

        @Override
        default void putLong(long address, long value) {
            memory().putLong(address, value);
        }

        @Override
        default int getInt(long address) {
            return memory().getInt(address);
        }

        @Override
        default long getLong(long address) {
            return memory().getLong(address);
        }

        @Override
        default void putBytes(long address, byte[] bytes, int offset, int length) {
            memory().putBytes(address, bytes, offset, length);
        }

        @Override
        default void getBytes(long address, byte[] into, int offset, int length) {
            memory().getBytes(address, into, offset, length);
        }

        @Override
        default void copy(long from, long to, long length) {
            memory().copy(from, to, length);
        }

        @Override
        default void zero(long address, long length) {
            memory().zero(address, length);
        }
    }
}
