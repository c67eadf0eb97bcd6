package io.isola.internal.nativ;

/** What statx(2) says of a file, without following a link: type and permission bits, owner, size, times, identity. */
public record FileStat(
        int mode,
        int uid,
        int gid,
        long size,
        int nlink,
        long ino,
        long dev,
        int rdevMajor,
        int rdevMinor,
        long mtimeSeconds,
        int mtimeNanos) {

    public static final int S_IFMT = 0170000,
            S_IFDIR = 0040000,
            S_IFCHR = 0020000,
            S_IFBLK = 0060000,
            S_IFIFO = 0010000,
            S_IFLNK = 0120000,
            S_IFREG = 0100000;

    /** struct statx: the same offsets on x86_64 and aarch64. */
    static final int SIZE = 256;

    static FileStat read(long address) {
        int devMajor = NativeMemory.getInt(address + 136), devMinor = NativeMemory.getInt(address + 140);
        return new FileStat(
                NativeMemory.getShort(address + 28) & 0xffff,
                NativeMemory.getInt(address + 20),
                NativeMemory.getInt(address + 24),
                NativeMemory.getLong(address + 40),
                NativeMemory.getInt(address + 16),
                NativeMemory.getLong(address + 32),
                ((long) devMajor << 32) | (devMinor & 0xffffffffL),
                NativeMemory.getInt(address + 128),
                NativeMemory.getInt(address + 132),
                NativeMemory.getLong(address + 112),
                NativeMemory.getInt(address + 120));
    }

    public int type() {
        return mode & S_IFMT;
    }

    public boolean isDirectory() {
        return type() == S_IFDIR;
    }

    public boolean isRegularFile() {
        return type() == S_IFREG;
    }

    public boolean isSymbolicLink() {
        return type() == S_IFLNK;
    }

    /** The same file as {@code other}: device and inode. */
    public boolean sameFile(FileStat other) {
        return ino == other.ino && dev == other.dev;
    }
}
