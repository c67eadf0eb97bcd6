package io.isola.internal.nativ;

import jnr.ffi.annotations.IgnoreError;
import jnr.ffi.annotations.SaveError;

/**
 * The glibc functions the host side calls, declared for jnr-ffi. Pointers are plain addresses
 * ({@code long}) into memory that {@link NativeMemory} manages, so no call allocates.
 *
 * <p>{@code makecontext} and {@code clone} are variadic in C; they are declared with a fixed arity
 * because a variadic jnr-ffi call builds a new call descriptor every time (7-37 µs against about
 * 1 µs), and glibc reads these arguments as plain machine words on x86_64 and aarch64.
 */
public interface LibC {

    @IgnoreError
    int getcontext(long ucp);

    @IgnoreError
    void makecontext(long ucp, long fn, int argc, long a0, long a1, long a2, long a3, long a4, long a5);

    /** glibc clone(fn, stack, flags, arg, parent_tid). */
    @SaveError
    int clone(long fn, long stack, int flags, long arg, long parentTid);

    @SaveError
    int pipe2(long fds, int flags);

    /** An anonymous file in memory (glibc 2.27): what libseccomp exports a filter into. */
    @SaveError
    int memfd_create(String name, int flags);

    @SaveError
    int close(int fd);

    @SaveError
    long read(int fd, long buf, long count);

    @SaveError
    long write(int fd, long buf, long count);

    @SaveError
    long read(int fd, @jnr.ffi.annotations.Out byte[] buf, long count);

    @SaveError
    long write(int fd, @jnr.ffi.annotations.In byte[] buf, long count);

    @SaveError
    int poll(long fds, long nfds, int timeoutMillis);

    @SaveError
    int open(String path, int flags, int mode);

    @SaveError
    int mount(String source, String target, String fstype, long flags, String data);

    @SaveError
    int umount2(String target, int flags);

    @SaveError
    int waitid(int idType, int id, long info, int options);

    @SaveError
    int pidfd_open(int pid, int flags);

    @SaveError
    int pidfd_send_signal(int pidfd, int sig, long info, int flags);

    @IgnoreError
    int pthread_sigmask(int how, long set, long oldSet);

    @IgnoreError
    long __errno_location();

    /** glibc syscall(number, ...), for calls without a usable wrapper. */
    @SaveError
    long syscall(long number, long a1, long a2, long a3, long a4);

    /**
     * syscall(number, ...) with up to six arguments (mount_setattr, move_mount take five). Always
     * seven parameters: with six, jnr-ffi 2.2 hands libc garbage for the last one (strace shows it).
     */
    @SaveError
    long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    // lifecycle, exec and terminals (issue 8)

    @SaveError
    int mkfifo(String path, int mode);

    @SaveError
    int setsid();

    /** ioctl(fd, request, arg) with a word or pointer argument. */
    @SaveError
    int ioctl(int fd, long request, long arg);

    @SaveError
    int kill(int pid, int signal);

    /** fcntl(fd, cmd, arg) with a word argument (F_DUPFD_CLOEXEC, F_GETFL, F_SETFL). */
    @SaveError
    int fcntl(int fd, int cmd, long arg);

    @SaveError
    int tcgetattr(int fd, long termios);

    @SaveError
    int tcsetattr(int fd, int when, long termios);

    @IgnoreError
    void cfmakeraw(long termios);

    // what the host side needs to know about this process, without parsing /proc on every launch

    @IgnoreError
    int geteuid();

    @IgnoreError
    int getegid();

    /** Options with at most one argument (PR_GET_DUMPABLE, PR_SET_DUMPABLE); the rest must be 0. */
    @SaveError
    int prctl(int option, long arg2, long arg3, long arg4, long arg5);

    /** struct rlimit: two unsigned longs, soft then hard; RLIM_INFINITY is all ones. */
    @SaveError
    int getrlimit(int resource, long rlimit);

    /** A version 3 header and two data structs (effective, permitted, inheritable: 32 bits each). */
    @SaveError
    int capget(long header, long data);

    /** Only on a throwaway host thread: joins a namespace for that thread alone (net, ipc, uts). */
    @SaveError
    int setns(int fd, int nstype);

    /** Only on a cloning thread that retires afterwards: a new time namespace for that thread's children. */
    @SaveError
    int unshare(int flags);

    // sockets, for an engine's console socket (issue 8)

    @SaveError
    int socket(int domain, int type, int protocol);

    @SaveError
    int connect(int fd, long address, int length);

    @SaveError
    int setsockopt(int fd, int level, int name, long value, int length);

    @SaveError
    long sendmsg(int fd, long message, int flags);

    // file calls relative to an open directory, for trees an image or a container controls
    // (paths as NUL-terminated UTF-8 bytes: jnr-ffi would encode a String in the JVM's default charset)

    @SaveError
    int openat(int dirfd, @jnr.ffi.annotations.In byte[] path, int flags, int mode);

    @SaveError
    int mkdirat(int dirfd, @jnr.ffi.annotations.In byte[] path, int mode);

    @SaveError
    int symlinkat(@jnr.ffi.annotations.In byte[] target, int dirfd, @jnr.ffi.annotations.In byte[] path);

    @SaveError
    int linkat(
            int fromDirfd,
            @jnr.ffi.annotations.In byte[] from,
            int toDirfd,
            @jnr.ffi.annotations.In byte[] to,
            int flags);

    @SaveError
    int unlinkat(int dirfd, @jnr.ffi.annotations.In byte[] path, int flags);

    /** mknodat(2) (a glibc symbol since 2.33): here only for overlayfs whiteouts, character devices 0/0. */
    @SaveError
    int mknodat(int dirfd, @jnr.ffi.annotations.In byte[] path, int mode, long dev);

    @SaveError
    int renameat(int fromDirfd, @jnr.ffi.annotations.In byte[] from, int toDirfd, @jnr.ffi.annotations.In byte[] to);

    @SaveError
    long readlinkat(int dirfd, @jnr.ffi.annotations.In byte[] path, @jnr.ffi.annotations.Out byte[] buf, long size);

    /** fstatfs(2), into a struct statfs (120 bytes on 64-bit Linux, f_type first); an O_PATH fd will do. */
    @SaveError
    int fstatfs(int fd, @jnr.ffi.annotations.Out byte[] statfs);

    /** statx(2): one layout on every architecture, unlike struct stat. */
    @SaveError
    int statx(int dirfd, @jnr.ffi.annotations.In byte[] path, int flags, int mask, long statx);

    @SaveError
    long lseek(int fd, long offset, int whence);

    @SaveError
    int fchmod(int fd, int mode);

    /** Only on /proc/self/fd/N of an O_PATH descriptor (fchmod refuses those). */
    @SaveError
    int chmod(@jnr.ffi.annotations.In byte[] path, int mode);

    @SaveError
    int fchown(int fd, int uid, int gid);

    @SaveError
    int fchownat(int dirfd, @jnr.ffi.annotations.In byte[] path, int uid, int gid, int flags);

    @SaveError
    int utimensat(int dirfd, @jnr.ffi.annotations.In byte[] path, long times, int flags);

    @SaveError
    int fsetxattr(
            int fd, @jnr.ffi.annotations.In byte[] name, @jnr.ffi.annotations.In byte[] value, long size, int flags);

    @SaveError
    long fgetxattr(int fd, @jnr.ffi.annotations.In byte[] name, @jnr.ffi.annotations.Out byte[] value, long size);

    @SaveError
    int fremovexattr(int fd, @jnr.ffi.annotations.In byte[] name);

    /** getxattr of the path itself, never a link's target. */
    @SaveError
    long lgetxattr(
            @jnr.ffi.annotations.In byte[] path,
            @jnr.ffi.annotations.In byte[] name,
            @jnr.ffi.annotations.Out byte[] value,
            long size);

    @SaveError
    long getxattr(
            @jnr.ffi.annotations.In byte[] path,
            @jnr.ffi.annotations.In byte[] name,
            @jnr.ffi.annotations.Out byte[] value,
            long size);
}
