package io.isola.internal.launch;

import io.isola.api.ConsoleSocket;
import io.isola.api.ContainerSpec;
import io.isola.api.Stdio;
import io.isola.api.Terminal;
import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.Pty;

/**
 * The container's standard streams: for each of 0, 1 and 2, the host fd the child dup2()s onto it
 * (-1 to inherit the host's), and the host's end of each pipe. Every fd is close-on-exec, so the
 * user's command holds only what dup2 gave it.
 */
final class StdioPlan implements AutoCloseable {

    final int[] childFds = {-1, -1, -1};
    final int[] hostFds = {-1, -1, -1};
    /** The pseudo-terminal when the spec asks for a {@link Terminal}; its slave is 0, 1 and 2. */
    private Pty pty;
    /** The terminal the child opens inside the container for an engine's console socket. */
    private ContainerPty containerPty;

    private StdioPlan() {}

    static StdioPlan open(ContainerSpec spec) {
        StdioPlan plan = new StdioPlan();
        try {
            Terminal terminal = spec.extension(Terminal.class).orElse(null);
            ConsoleSocket console = spec.extension(ConsoleSocket.class).orElse(null);
            if (console != null && terminal != null) {
                throw new IllegalArgumentException("console socket \"" + console.path()
                        + "\": a container has either a terminal of its own or a console socket, not both");
            }
            if (console != null) {
                plan.containerPty = ContainerPty.connect(console.path());
                // placeholders until the terminal replaces them: 0-2 are open whatever the host's are
                for (int stream = 0; stream < 3; stream++) {
                    plan.childFds[stream] = Fds.open("/dev/null", Fds.O_RDWR, 0);
                }
                return plan;
            }
            if (terminal != null) {
                plan.pty = Pty.open(terminal.columns(), terminal.rows());
                for (int stream = 0; stream < 3; stream++) {
                    plan.childFds[stream] = Pty.dup(plan.pty.slave());
                }
                plan.hostFds[0] = Pty.dup(plan.pty.master());
                plan.hostFds[1] = Pty.dup(plan.pty.master());
                plan.pty.closeSlave();
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
            int[] pipe = Fds.pipe();
            boolean input = stream == 0;
            childFds[stream] = input ? pipe[0] : pipe[1];
            hostFds[stream] = input ? pipe[1] : pipe[0];
        } else if (stdio instanceof Stdio.ToFile file) {
            int flags = stream == 0 ? Fds.O_RDONLY
                    : Fds.O_WRONLY | Fds.O_CREAT | (file.append() ? Fds.O_APPEND : Fds.O_TRUNC);
            childFds[stream] = Fds.open(file.path().toString(), flags, 0644);
        } else if (stdio instanceof Stdio.Fd fd) {
            childFds[stream] = Fds.dupCloexec(fd.fd());
        }
    }

    /** Closes the host's copies of the child's ends, once the child has its own. */
    void closeChildEnds() {
        for (int i = 0; i < 3; i++) {
            Fds.closeQuietly(childFds[i]);
            childFds[i] = -1;
        }
    }

    /** The in-container terminal's steps and delivery; null without a console socket. */
    ContainerPty containerPty() {
        return containerPty;
    }

    /** At the gate, with every step done: hands an in-container terminal to its console socket. */
    void atGate(io.isola.internal.nativ.Pidfd child) {
        if (containerPty != null) {
            containerPty.deliver(child);
        }
    }

    boolean hasTerminal() {
        return pty != null;
    }

    /** Hands the terminal's master to the caller, who then owns it; -1 without a terminal. */
    int takeTerminal() {
        if (pty == null) {
            return -1;
        }
        int master = Pty.dup(pty.master());
        pty.close();
        pty = null;
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
        if (pty != null) {
            pty.close();
            pty = null;
        }
        for (int i = 0; i < 3; i++) {
            Fds.closeQuietly(hostFds[i]);
            hostFds[i] = -1;
        }
    }
}
