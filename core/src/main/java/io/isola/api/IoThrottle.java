package io.isola.api;

import java.io.IOException;
import java.nio.file.Path;

/**
 * One block device's I/O limit ({@code --device-read-bps /dev/vda:1mb}): a rate of bytes or
 * operations per second, for reads or writes, on the device numbered {@code major:minor}. The
 * device is named by its number because that is what the kernel's {@code io.max} and
 * {@code blkio.throttle.*} files take; {@link #parse} resolves a path to it once, at the boundary.
 */
public record IoThrottle(Kind kind, long major, long minor, long rate) {

    /** What is limited; {@link #flag()} names it as Docker's flag does. */
    public enum Kind {
        READ_BPS("--device-read-bps", true),
        WRITE_BPS("--device-write-bps", true),
        READ_IOPS("--device-read-iops", false),
        WRITE_IOPS("--device-write-iops", false);

        private final String flag;
        private final boolean bytes;

        Kind(String flag, boolean bytes) {
            this.flag = flag;
            this.bytes = bytes;
        }

        public String flag() {
            return flag;
        }

        /** Whether the rate is bytes per second (else operations per second). */
        public boolean bytes() {
            return bytes;
        }
    }

    public IoThrottle {
        if (kind == null) {
            throw new IllegalArgumentException("i/o throttle: the kind is missing (one of read or write, bps or iops)");
        }
        if (major < 0 || minor < 0 || major > 0xffffffffL || minor > 0xffffffffL) {
            throw new IllegalArgumentException(kind.flag() + " " + major + ":" + minor
                    + ": expected a device number from 0:0 to 4294967295:4294967295");
        }
        if (rate < 1) {
            throw new IllegalArgumentException(
                    kind.flag() + " " + major + ":" + minor + " rate " + rate + ": expected a positive "
                            + (kind.bytes() ? "number of bytes" : "number of operations") + " per second");
        }
    }

    /** {@code MAJOR:MINOR} as the kernel writes it. */
    public String device() {
        return major + ":" + minor;
    }

    /**
     * Docker's {@code PATH:RATE}: a block device and a rate, bytes with an optional unit (such as
     * {@code 1mb}) for bps, a plain number for iops.
     */
    public static IoThrottle parse(Kind kind, String text) {
        int colon = text == null ? -1 : text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException(kind.flag() + " \"" + text + "\": expected PATH:RATE, such as /dev/sda:"
                    + (kind.bytes() ? "1mb" : "1000"));
        }
        String path = text.substring(0, colon);
        String rateText = text.substring(colon + 1);
        long rate;
        if (kind.bytes()) {
            rate = Resources.parseSize(kind.flag() + " rate", rateText);
        } else {
            try {
                rate = Long.parseLong(rateText.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(kind.flag() + " \"" + text + "\": rate \"" + rateText
                        + "\": expected a whole number of operations per second");
            }
        }
        long rdev = blockDevice(kind, text, Path.of(path));
        return new IoThrottle(kind, majorOf(rdev), minorOf(rdev), rate);
    }

    private static long rdev(Path path) throws IOException {
        return Runtimes.provider().blockDeviceNumber(path);
    }

    private static long blockDevice(Kind kind, String text, Path path) {
        long rdev;
        try {
            rdev = rdev(path);
        } catch (IOException | UnsupportedOperationException e) {
            throw new IllegalArgumentException(kind.flag() + " \"" + text + "\": cannot read " + path + " ("
                    + e.getClass().getSimpleName() + "); expected a block device such as /dev/sda");
        }
        if (rdev < 0) {
            throw new IllegalArgumentException(kind.flag() + " \"" + text + "\": " + path
                    + " is not a block device; expected one such as /dev/sda");
        }
        return rdev;
    }

    // glibc's gnu_dev_major/minor: the 64-bit dev_t splits each number in two
    static long majorOf(long rdev) {
        return ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
    }

    static long minorOf(long rdev) {
        return (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
    }
}
