package io.isola.spi.support;

import io.isola.internal.nativ.FileStat;

/**
 * What a host file's {@code unix:mode} and {@code unix:rdev} attributes encode, for isolators that
 * make a container's device nodes from the host's: the file-type bits of st_mode (defined once, in
 * the core's native layer) and the kernel's dev_t layout.
 */
public final class FileModes {

    public static final int S_IFMT = FileStat.S_IFMT,
            S_IFCHR = FileStat.S_IFCHR,
            S_IFBLK = FileStat.S_IFBLK,
            S_IFIFO = FileStat.S_IFIFO,
            S_IFREG = FileStat.S_IFREG;

    private FileModes() {}

    /** The file-type bits of {@code mode}: one of the S_IF* constants. */
    public static int type(int mode) {
        return mode & S_IFMT;
    }

    /** dev_t's major number: 12 bits above the minor's low 8, then 20 more from bits 44-63 (glibc's layout). */
    public static long major(long rdev) {
        return ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & 0xfffff000L);
    }

    /**
     * dev_t's minor number: the low 8 bits, then 24 more from bits 20-43 (glibc's mask; without it
     * a major above 4095 would show in the minor).
     */
    public static long minor(long rdev) {
        return (rdev & 0xff) | ((rdev >>> 12) & 0xffffff00L);
    }

    /** The dev_t of ({@code major}, {@code minor}), as mknod takes it. */
    public static long device(long major, long minor) {
        return (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xffL) << 12) | ((major & ~0xfffL) << 32);
    }
}
