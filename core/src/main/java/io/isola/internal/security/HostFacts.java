package io.isola.internal.security;

import io.isola.api.Capability;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the lock-down needs to know about the host, read from {@code /proc} of this JVM: the child
 * is a clone of it, so it starts with these limits and capabilities.
 */
public final class HostFacts {

    private static final Path CAP_LAST_CAP = Path.of("/proc/sys/kernel/cap_last_cap");
    private static final Path OS_RELEASE = Path.of("/proc/sys/kernel/osrelease");

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

    /** Whether this process may raise resource limits above their hard limit. */
    public static boolean canRaiseLimits() {
        for (String line : lines(Path.of("/proc/self/status"))) {
            if (line.startsWith("CapEff:")) {
                long effective = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                return (effective & (1L << Capability.SYS_RESOURCE.number())) != 0;
            }
        }
        return false;
    }

    /**
     * The hard limit of resource {@code resource} (RLIMIT_* number) of this process, -1 for
     * unlimited. {@code /proc/self/limits} lists the limits in the kernel's RLIMIT order.
     */
    public static long hardLimit(int resource) {
        List<String> lines = lines(Path.of("/proc/self/limits"));
        String line = lines.get(resource + 1); // a header line first
        // "Max open files            1024                 20000                files"
        String[] columns = line.substring(26).trim().split("\\s+");
        return columns[1].equals("unlimited") ? -1 : Long.parseLong(columns[1]);
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

    private static List<String> lines(Path path) {
        try {
            return Files.readAllLines(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }
}
