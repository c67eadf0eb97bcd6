package io.isola.internal.security;

import io.isola.api.Capability;
import io.isola.internal.nativ.Native;
import io.isola.internal.nativ.NativeMemory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the lock-down needs to know about the host, read from {@code /proc} of this JVM: the child
 * is a clone of it, so it starts with these limits and capabilities.
 */
public final class HostFacts {

    private static final Path CAP_LAST_CAP = Path.of("/proc/sys/kernel/cap_last_cap");
    private static final Path OS_RELEASE = Path.of("/proc/sys/kernel/osrelease");

    private static final int LINUX_CAPABILITY_VERSION_3 = 0x20080522, CAP_HEADER_BYTES = 8, CAP_DATA_BYTES = 12;
    private static final long RLIM_INFINITY = -1L;

    private static volatile Integer lastCap;
    private static volatile String kernelRelease;

    private HostFacts() {}

    /** The kernel's highest capability number: every capability up to it must be dropped or kept. */
    public static int lastCap() {
        Integer value = lastCap;
        if (value == null) {
            value = Integer.parseInt(read(CAP_LAST_CAP).trim());
            lastCap = value;
        }
        return value;
    }

    public static String kernelRelease() {
        String value = kernelRelease;
        if (value == null) {
            value = read(OS_RELEASE).trim();
            kernelRelease = value;
        }
        return value;
    }

    /**
     * Whether this process may raise resource limits above their hard limit. Asked of the kernel
     * (capget) rather than read from {@code /proc/self/status}: it is asked on every launch, and
     * parsing procfs there cost more than the rest of the lock-down's planning.
     */
    public static boolean canRaiseLimits() {
        Native n = Native.get();
        try (NativeMemory mem = new NativeMemory(CAP_HEADER_BYTES + 2 * CAP_DATA_BYTES)) {
            long header = mem.address(), data = header + CAP_HEADER_BYTES;
            NativeMemory.putInt(header, LINUX_CAPABILITY_VERSION_3);
            NativeMemory.putInt(header + 4, 0); // this process
            n.check("capget", n.libc().capget(header, data));
            int number = Capability.SYS_RESOURCE.number();
            int effective = NativeMemory.getInt(data + (long) (number / 32) * CAP_DATA_BYTES);
            return (effective & (1 << (number % 32))) != 0;
        }
    }

    /**
     * The hard limit of resource {@code resource} (RLIMIT_* number) of this process, -1 for
     * unlimited; from getrlimit, for the same reason.
     */
    public static long hardLimit(int resource) {
        Native n = Native.get();
        try (NativeMemory rlimit = new NativeMemory(16)) {
            n.check("getrlimit", n.libc().getrlimit(resource, rlimit.address()));
            long hard = NativeMemory.getLong(rlimit.address() + 8);
            return hard == RLIM_INFINITY ? -1 : hard;
        }
    }

    /**
     * Not Files.readString: on JDK 17 it trusts the size that procfs reports for sysctl files and
     * returned "4" for a cap_last_cap of 40 on this kernel.
     */
    private static String read(Path path) {
        try (java.io.InputStream in = Files.newInputStream(path)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }
}
