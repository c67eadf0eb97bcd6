package io.isola.internal.launch;

import io.isola.api.ConsoleSocket;
import io.isola.api.ContainerSpec;
import io.isola.api.Stdio;
import io.isola.api.Terminal;
import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.Pty;
import io.isola.internal.nativ.Syscalls;

/**
 * The container's standard streams: for each of 0, 1 and 2, the host fd the child dup2()s onto it
 * (-1 to inherit the host's), and the host's end of each pipe. Every fd is close-on-exec, so the
 * user's command holds only what dup2 gave it.
 */
final class StdioPlan implements AutoCloseable {

    final int[] childFds = {-1, -1, -1};
    final int[] hostFds = {-1, -1, -1};
    /**
     * The terminal the child opens inside the container, for an engine's console socket or, when
     * the spec asks for a {@link Terminal}, for the host to relay; its peer is 0, 1 and 2.
     */
    private ContainerPty containerPty;
    /** The master of a terminal the host keeps, from the gate on; -1 before and without one. */
    private int terminal = -1;

    /** The calls that open and close the fds above. */
    private final Syscalls host;

    private StdioPlan(Syscalls host) {
        this.host = host;
    }

    static StdioPlan open(ContainerSpec spec) {
        return open(spec, Syscalls.linux());
    }

    static StdioPlan open(ContainerSpec spec, Syscalls host) {
        StdioPlan plan = new StdioPlan(host);
        try {
            Terminal terminal = spec.extension(Terminal.class).orElse(null);
            ConsoleSocket console = spec.extension(ConsoleSocket.class).orElse(null);
            if (console != null || terminal != null) {
                // with a console socket, a Terminal only sizes it (an OCI process.consoleSize)
                int columns = terminal == null ? 0 : terminal.columns(), rows = terminal == null ? 0 : terminal.rows();
                plan.containerPty = console == null
                        ? ContainerPty.kept(columns, rows, host)
                        : ContainerPty.connect(console.path(), columns, rows, spec.startTimeout(), host);
                // placeholders until the terminal replaces them: 0-2 are open whatever the host's are
                for (int stream = 0; stream < 3; stream++) {
                    plan.childFds[stream] = host.open("/dev/null", Fds.O_RDWR, 0);
                }
                return plan;
            }
            plan.wire(0, spec.stdin());
            plan.wire(1, spec.stdout());
            plan.wire(2, spec.stderr());
            return plan;
        } catch (RuntimeException e) {
            plan.close();
            throw e;
        }
    }

    private void wire(int stream, Stdio stdio) {
        if (stdio instanceof Stdio.Pipe) {
            int[] pipe = host.pipe();
            boolean input = stream == 0;
            childFds[stream] = input ? pipe[0] : pipe[1];
            hostFds[stream] = input ? pipe[1] : pipe[0];
        } else if (stdio instanceof Stdio.ToFile file) {
            int flags = stream == 0
                    ? Fds.O_RDONLY
                    : Fds.O_WRONLY | Fds.O_CREAT | (file.append() ? Fds.O_APPEND : Fds.O_TRUNC);
            childFds[stream] = host.open(file.path().toString(), flags, 0644);
        } else if (stdio instanceof Stdio.Fd fd) {
            childFds[stream] = host.dupCloexec(fd.fd());
        }
    }

    /**
     * Renumbers the child's ends with {@code lift} (which closes the fd it is given): for a plan
     * that another process clones, where they travel at numbers that process has free.
     */
    void liftChildFds(java.util.function.IntUnaryOperator lift) {
        for (int i = 0; i < 3; i++) {
            int fd = childFds[i];
            if (fd >= 0) {
                childFds[i] = -1; // lift closes it whatever happens
                childFds[i] = lift.applyAsInt(fd);
            }
        }
    }

    /** Closes the host's copies of the child's ends, once the child has its own. */
    void closeChildEnds() {
        for (int i = 0; i < 3; i++) {
            host.closeQuietly(childFds[i]);
            childFds[i] = -1;
        }
    }

    /** The in-container terminal's steps and delivery; null without a terminal or console socket. */
    ContainerPty containerPty() {
        return containerPty;
    }

    /**
     * At the gate, with every step done: hands the in-container terminal to its console socket, or
     * keeps its master, whose copies are then the host's ends of stdin and stdout.
     */
    void atGate(io.isola.internal.nativ.HeldProcess child) {
        if (containerPty != null) {
            containerPty.deliver(child);
            terminal = containerPty.takeMaster();
            if (terminal >= 0) {
                hostFds[0] = Pty.dup(terminal);
                hostFds[1] = Pty.dup(terminal);
            }
        }
    }

    /** Hands the terminal's master to the caller, who then owns it; -1 without a terminal. */
    int takeTerminal() {
        int master = terminal;
        terminal = -1;
        return master;
    }

    /** Hands the host end of stream {@code stream} to the caller, who then owns it. */
    int takeHostFd(int stream) {
        int fd = hostFds[stream];
        hostFds[stream] = -1;
        return fd;
    }

    @Override
    public void close() {
        closeChildEnds();
        if (containerPty != null) {
            containerPty.close();
            containerPty = null;
        }
        host.closeQuietly(terminal);
        terminal = -1;
        for (int i = 0; i < 3; i++) {
            host.closeQuietly(hostFds[i]);
            hostFds[i] = -1;
        }
    }
}
