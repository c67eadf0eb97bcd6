package io.isola.internal.nativ;

/**
 * What compiling a chain and cloning its child take from libc (issue 17): native memory, symbol
 * addresses for the contexts, and the handful of calls the compiler and the cloning thread make
 * themselves. The steps' own functions are only ever looked up by address, never called here.
 * {@link JnrCloneLibc} is the runtime's (jnr-ffi); a thin create uses one on raw jffi instead,
 * which loads in a fraction of jnr-ffi's start.
 */
public interface CloneLibc extends ForeignMemory {

    /** The address of libc's {@code name}; a missing symbol names itself (IllegalArgumentException). */
    long symbol(String name);

    int getcontext(long ucp);

    /** makecontext(ucp, function, argc, ...): variadic in C, {@code argc} of the six words are read. */
    void makecontext(long ucp, long function, int argc, long a0, long a1, long a2, long a3, long a4, long a5);

    /** glibc's clone(fn, stack, flags, arg, parent_tid); the child's pid, or -1 with {@link #lastErrno}. */
    int clone(long function, long stackTop, int flags, long arg, long parentTid);

    int pthread_sigmask(int how, long set, long oldSet);

    long write(int fd, long buffer, long count);

    /** This thread's errno location, which a vfork-style child shares (it inherits the TLS). */
    long errnoLocation();

    int geteuid();

    int prctl(int option, long arg2, long arg3, long arg4, long arg5);

    /** setns(fd, nstype): the cloning thread joins a PID namespace for one clone (an exec's child). */
    int setns(int fd, int nstype);

    /** open(path, flags), no mode: the cloning thread's own PID namespace, to go back to it. */
    int open(String path, int flags);

    int close(int fd);

    /** The errno of this thread's last call through this binding that reports one. */
    int lastErrno();
}
