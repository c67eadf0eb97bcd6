package io.isola.spi.support;

import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.SyscallNumbers;
import io.isola.spi.Arg;
import io.isola.spi.LibcCall;
import io.isola.spi.Step;

/**
 * Steps for the system calls that glibc does not wrap, through {@code syscall(2)}: the runtime
 * knows their numbers for the machine it runs on, so bundles need not.
 */
public final class SyscallSteps {

    /** {@code AT_FDCWD}: a path relative to the working directory. */
    public static final long AT_FDCWD = Fds.AT_FDCWD;
    /** {@code AT_RECURSIVE}: mount_setattr applies to the whole subtree. */
    public static final long AT_RECURSIVE = 0x8000;
    /** {@code MOUNT_ATTR_*} flags of mount_setattr(2). */
    public static final long MOUNT_ATTR_RDONLY = 0x1,
            MOUNT_ATTR_NOSUID = 0x2,
            MOUNT_ATTR_NODEV = 0x4,
            MOUNT_ATTR_NOEXEC = 0x8;

    /**
     * {@code MOUNT_ATTR_NOSYMFOLLOW} (Linux 5.10): every lookup through the mount fails with ELOOP at
     * a symbolic link, the last component's too, so that a path the host resolved without links is
     * reached as resolved or not at all.
     *
     * @since 1.2
     */
    public static final long MOUNT_ATTR_NOSYMFOLLOW = 0x00200000;

    private static final int MOUNT_ATTR_SIZE = 32;

    private SyscallSteps() {}

    /** pivot_root(2): {@code newRoot} becomes {@code /}, the old root moves to {@code putOld}. */
    public static Step pivotRoot(String description, String newRoot, String putOld) {
        return Step.call(
                description,
                LibcCall.SYSCALL,
                Arg.word(SyscallNumbers.PIVOT_ROOT),
                Arg.text(newRoot),
                Arg.text(putOld));
    }

    /**
     * mount_setattr(2) (Linux 5.12): sets {@code attrSet} on the mount at {@code path}, and on every
     * mount below it when {@code recursive}, leaving its other flags as they are (unlike a
     * remount, which replaces them).
     */
    public static Step mountSetattr(String description, String path, boolean recursive, long attrSet) {
        return mountSetattr(description, path, recursive, attrSet, 0);
    }

    /**
     * As {@link #mountSetattr(String, String, boolean, long)}, clearing {@code attrClr} as well.
     *
     * @since 1.2
     */
    public static Step mountSetattr(String description, String path, boolean recursive, long attrSet, long attrClr) {
        byte[] attr = new byte[MOUNT_ATTR_SIZE]; // struct mount_attr: attr_set, attr_clr, propagation, userns_fd
        for (int i = 0; i < 8; i++) {
            attr[i] = (byte) (attrSet >>> (8 * i)); // little-endian, as on x86_64 and aarch64 Linux
            attr[8 + i] = (byte) (attrClr >>> (8 * i));
        }
        return Step.call(
                description,
                LibcCall.SYSCALL,
                Arg.word(SyscallNumbers.MOUNT_SETATTR),
                Arg.word(AT_FDCWD),
                Arg.text(path),
                Arg.word(recursive ? AT_RECURSIVE : 0),
                new Arg.Bytes(attr),
                Arg.word(MOUNT_ATTR_SIZE));
    }
}
