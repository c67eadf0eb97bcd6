package io.isola.launcher.client;

import io.isola.internal.nativ.ForeignMemory;
import io.isola.internal.nativ.JnrCloneLibc;
import io.isola.internal.nativ.LibC;
import io.isola.internal.nativ.Native;
import io.isola.internal.nativ.SocketLibc;
import io.isola.internal.nativ.ThinLibc;

/**
 * {@link ThinLibc} on jnr-ffi (the runtime's binding) and jffi (the socket's): a thin create on
 * a JDK older than 22, or without the isola-ffm jar. Both keep errno in jffi's one per-thread
 * slot, which {@link #lastErrno} reads.
 */
final class JnrThinLibc implements ThinLibc, ForeignMemory.Forwarding {

    private final JnrCloneLibc chain = JnrCloneLibc.get();
    private final SocketLibc socket = JffiSocketLibc.INSTANCE;
    private final LibC libc = Native.get().libc();

    @Override
    public int fcntl(int fd, int command, int arg) {
        return libc.fcntl(fd, command, arg);
    }

    @Override
    public int pidfdOpen(int pid) {
        return libc.pidfd_open(pid, 0);
    }

    @Override
    public int pidfdSendSignal(int pidfd, int signal) {
        return libc.pidfd_send_signal(pidfd, signal, 0, 0);
    }

    @Override
    public int poll(long fds, int count, int timeoutMillis) {
        return libc.poll(fds, count, timeoutMillis);
    }

    @Override
    public int waitid(int idType, int id, long info, int options) {
        return libc.waitid(idType, id, info, options);
    }

    @Override
    public long syscall(long number, long a1, long a2, long a3, long a4) {
        return libc.syscall(number, a1, a2, a3, a4);
    }

    @Override
    public int lastErrno() {
        return chain.lastErrno();
    }

    // the socket's calls

    @Override
    public int socket(int domain, int type, int protocol) {
        return socket.socket(domain, type, protocol);
    }

    @Override
    public int connect(int fd, long address, int length) {
        return socket.connect(fd, address, length);
    }

    @Override
    public long sendmsg(int fd, long message, int flags) {
        return socket.sendmsg(fd, message, flags);
    }

    @Override
    public long recvmsg(int fd, long message, int flags) {
        return socket.recvmsg(fd, message, flags);
    }

    @Override
    public long send(int fd, long buffer, long length, int flags) {
        return socket.send(fd, buffer, length, flags);
    }

    @Override
    public long read(int fd, long buffer, long count) {
        return socket.read(fd, buffer, count);
    }

    @Override
    public int close(int fd) {
        return socket.close(fd);
    }

    // the chain's calls, and its memory (ForeignMemory.Forwarding)

    @Override
    public long symbol(String name) {
        return chain.symbol(name);
    }

    @Override
    public int getcontext(long ucp) {
        return chain.getcontext(ucp);
    }

    @Override
    public void makecontext(long ucp, long function, int argc, long a0, long a1, long a2, long a3, long a4, long a5) {
        chain.makecontext(ucp, function, argc, a0, a1, a2, a3, a4, a5);
    }

    @Override
    public int clone(long function, long stackTop, int flags, long arg, long parentTid) {
        return chain.clone(function, stackTop, flags, arg, parentTid);
    }

    @Override
    public int pthread_sigmask(int how, long set, long oldSet) {
        return chain.pthread_sigmask(how, set, oldSet);
    }

    @Override
    public long write(int fd, long buffer, long count) {
        return chain.write(fd, buffer, count);
    }

    @Override
    public long errnoLocation() {
        return chain.errnoLocation();
    }

    @Override
    public int geteuid() {
        return chain.geteuid();
    }

    @Override
    public int prctl(int option, long arg2, long arg3, long arg4, long arg5) {
        return chain.prctl(option, arg2, arg3, arg4, arg5);
    }

    @Override
    public int setns(int fd, int nstype) {
        return chain.setns(fd, nstype);
    }

    @Override
    public int open(String path, int flags) {
        return chain.open(path, flags);
    }

    /** The chain's: jnr-ffi's counted native memory. */
    @Override
    public ForeignMemory memory() {
        return chain;
    }
}
