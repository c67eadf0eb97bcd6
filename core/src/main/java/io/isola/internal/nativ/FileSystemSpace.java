package io.isola.internal.nativ;

import java.nio.ByteBuffer;

/**
 * What is free on a file system, as statfs(2) tells it.
 *
 * @param freeBytes what a user other than root may still write ({@code f_bavail}, in {@code
 *     f_frsize} units as statvfs(3) counts them): what stays above it is the file system's reserve
 *     for root (5% on ext4 by default), which an image or a container's files must not eat into
 * @param inodes how many files the file system can hold ({@code f_files}); 0 when it sets no
 *     number (btrfs, a tmpfs mounted with nr_inodes=0)
 * @param freeInodes how many more files it can hold ({@code f_ffree}); the kernel keeps none of
 *     them for root
 */
public record FileSystemSpace(long freeBytes, long inodes, long freeInodes) {

    /** From a struct statfs: f_type, f_bsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree, f_fsid, f_namelen, f_frsize, 8 bytes each. */
    static FileSystemSpace of(ByteBuffer statfs) {
        long blockSize = statfs.getLong(72) > 0 ? statfs.getLong(72) : statfs.getLong(8);
        long available = statfs.getLong(32);
        long bytes = available > Long.MAX_VALUE / blockSize ? Long.MAX_VALUE : available * blockSize;
        return new FileSystemSpace(bytes, statfs.getLong(40), statfs.getLong(48));
    }
}
