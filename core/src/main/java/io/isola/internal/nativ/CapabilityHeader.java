package io.isola.internal.nativ;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The capget/capset structures of capability version 3 (64 bits in two 32-bit halves), written
 * once: the host reads its own effective set, and the child's steps drop or keep capabilities.
 */
public final class CapabilityHeader {

    /** _LINUX_CAPABILITY_VERSION_3 (Linux 2.6.26): two data structures, capabilities 0-31 then 32-63. */
    public static final int VERSION_3 = 0x20080522;
    /** struct __user_cap_header_struct: version, pid. */
    public static final int HEADER_BYTES = 8;
    /** struct __user_cap_data_struct: effective, permitted, inheritable. */
    public static final int DATA_BYTES = 12;

    private CapabilityHeader() {}

    /** The header of version 3 for pid 0: the calling thread. */
    public static byte[] bytes() {
        return ByteBuffer.allocate(HEADER_BYTES)
                .order(ByteOrder.nativeOrder())
                .putInt(VERSION_3)
                .putInt(0)
                .array();
    }
}
