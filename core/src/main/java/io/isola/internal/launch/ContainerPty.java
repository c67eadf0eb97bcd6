package io.isola.internal.launch;

import io.isola.api.IsolaException;
import io.isola.internal.nativ.Errno;
import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.HeldProcess;
import io.isola.internal.nativ.NativeException;
import io.isola.internal.nativ.Syscalls;
import io.isola.spi.Arg;
import io.isola.spi.LibcCall;
import io.isola.spi.Step;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pseudo-terminal that the container's process opens itself, inside the container: its master
 * end goes to an engine's console socket ({@link io.isola.api.ConsoleSocket}) or stays with the
 * host, which relays it (a {@link io.isola.api.Terminal}, {@code isola run -t}).
 *
 * <p>Why inside: a container mounts a devpts instance of its own, so a pty the host opened has no
 * name in the container's /dev/pts, and ttyname(3), tty(1) and whatever asks them say "not a
 * tty". runc and crun open it inside for the same reason.
 *
 * <p>The child opens {@code /dev/ptmx} after the root is in place (so it is the container's
 * devpts instance), unlocks it, opens the peer with {@code TIOCGPTPEER} and makes the peer its
 * stdin, stdout and stderr. The child cannot pass a descriptor anywhere without a computed
 * result, so both numbers are predicted: after {@code close_range} the child holds exactly 0-2
 * (always dup2()ed, to {@code /dev/null} until the terminal replaces them) and the fds it keeps,
 * and the kernel hands out the lowest free number. Both ends are close-on-exec, so the command
 * holds only 0-2. At the gate the host copies the master out of the child with
 * {@code pidfd_getfd} and checks that it is a ptmx; then it sends it over the socket with
 * {@code SCM_RIGHTS}, as runc does, keeping no copy, or keeps it, sized, as the terminal.
 */
final class ContainerPty implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerPty.class);
    private static final int O_NOCTTY = 0400, SUN_PATH_BYTES = 108;
    private static final long TIOCSPTLCK = 0x40045431L, TIOCGPTPEER = 0x5441;
    /** What the message carries besides the descriptor: the master's name, as runc sends it. */
    private static final String NAME = "/dev/ptmx";

    /** The console socket, or null when the host keeps the master. */
    private final Path path;

    /** The host's calls: the socket, the copy of the master, its checks and closes. */
    private final Syscalls host;

    private int socket;
    /** The window size the host sets on the master, kept or sent; 0 columns: none. */
    private final int columns;

    private final int rows;
    /** The master's and the peer's fd numbers in the child. */
    private int master = -1;

    private int slave = -1;
    /** The host's copy of the master once it is kept, until {@link #takeMaster()}. */
    private int kept = -1;

    private ContainerPty(Syscalls host, Path path, int socket, int columns, int rows) {
        this.host = host;
        this.path = path;
        this.socket = socket;
        this.columns = columns;
        this.rows = rows;
    }

    /** A terminal whose master the host keeps and relays, at this window size. */
    static ContainerPty kept(int columns, int rows, Syscalls host) {
        return new ContainerPty(host, null, -1, columns, rows);
    }

    /**
     * Connects to the console socket now, so that a bad path fails before anything is created; the
     * terminal is sent at this window size, or as the kernel makes it with 0 columns. A listener
     * that never accepts (its backlog full) or never reads fails the start after {@code timeout}
     * rather than holding the runtime for ever.
     */
    static ContainerPty connect(Path path, int columns, int rows, Duration timeout, Syscalls host) {
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        if (name.length >= SUN_PATH_BYTES) {
            throw new IllegalArgumentException("console socket \"" + path + "\": the path is longer than "
                    + (SUN_PATH_BYTES - 1) + " bytes, which AF_UNIX allows");
        }
        int fd = host.unixSocket();
        try {
            try {
                host.connect(fd, path.toString(), timeout);
            } catch (NativeException e) {
                if (e.errno() == Errno.EAGAIN) {
                    throw new IllegalArgumentException("console socket \"" + path + "\": its listener accepted no"
                            + " connection within " + timeout.toSeconds() + " s (the start timeout)");
                }
                throw new IllegalArgumentException("console socket \"" + path + "\": cannot connect: "
                        + Errno.describe(e.errno())
                        + " (expected a listening AF_UNIX stream socket)");
            }
            return new ContainerPty(host, path, fd, columns, rows);
        } catch (RuntimeException e) {
            host.closeQuietly(fd);
            throw e;
        }
    }

    /**
     * The child's steps, given every fd it holds after close_range besides 0-2. Run after the root
     * is in place and before the seccomp filter.
     */
    List<Step> steps(Collection<Integer> keptFds) {
        Set<Integer> open = new TreeSet<>(keptFds);
        open.addAll(List.of(0, 1, 2));
        master = lowestFree(open);
        open.add(master);
        slave = lowestFree(open);
        List<Step> steps = new ArrayList<>();
        steps.add(Step.call(
                "open a pseudo-terminal in the container (" + NAME + ", expected as fd " + master + ")",
                LibcCall.OPEN,
                Arg.text(NAME),
                Arg.word(Fds.O_RDWR | O_NOCTTY | Fds.O_CLOEXEC),
                Arg.word(0)));
        steps.add(Step.call(
                "unlock the pseudo-terminal",
                LibcCall.IOCTL,
                Arg.word(master),
                Arg.word(TIOCSPTLCK),
                new Arg.Bytes(new byte[4])));
        steps.add(Step.call(
                "open the pseudo-terminal's peer (expected as fd " + slave + ")",
                LibcCall.IOCTL,
                Arg.word(master),
                Arg.word(TIOCGPTPEER),
                Arg.word(Fds.O_RDWR | O_NOCTTY | Fds.O_CLOEXEC)));
        String[] streams = {"stdin", "stdout", "stderr"};
        for (int stream = 0; stream < 3; stream++) {
            steps.add(Step.call(
                    "connect " + streams[stream] + " to the terminal",
                    LibcCall.DUP2,
                    Arg.word(slave),
                    Arg.word(stream)));
        }
        return steps;
    }

    /** The master's and the peer's fd numbers in the child, once the steps are composed. */
    List<Integer> fds() {
        if (master < 0) {
            throw new IllegalStateException("the terminal's steps were not composed");
        }
        return List.of(master, slave);
    }

    private static int lowestFree(Set<Integer> open) {
        int fd = 0;
        while (open.contains(fd)) {
            fd++;
        }
        return fd;
    }

    /**
     * At the gate, with every step done: copies the master out of the child, then sends it to the
     * console socket or keeps it. The child's own copy closes when it execs.
     */
    void deliver(HeldProcess child) {
        if (master < 0) {
            throw new IllegalStateException("the terminal's steps were not composed");
        }
        int copy = host.pidfdGetFd(child, master);
        try {
            String target = readLink(child.pid(), master);
            if (!target.endsWith("ptmx")) {
                throw new IsolaException("the container's terminal was expected at fd " + master + " of process "
                        + child.pid() + ", which is " + target);
            }
            if (columns > 0) {
                host.resizeTerminal(copy, columns, rows);
            }
            if (path == null) {
                kept = copy;
                copy = -1;
                return;
            }
            host.sendFd(socket, copy, NAME.getBytes(StandardCharsets.UTF_8), "send the terminal to " + path);
            LOG.debug("sent the terminal of process {} to {}", child.pid(), path);
        } finally {
            host.closeQuietly(copy);
            host.closeQuietly(socket);
            socket = -1;
        }
    }

    /** Hands the kept master to the caller, who then owns it; -1 when none is kept. */
    int takeMaster() {
        int fd = kept;
        kept = -1;
        return fd;
    }

    private String readLink(long pid, int fd) {
        try {
            return host.readlink("/proc/" + pid + "/fd/" + fd);
        } catch (IOException e) {
            return "not open";
        }
    }

    @Override
    public void close() {
        host.closeQuietly(socket);
        socket = -1;
        host.closeQuietly(kept);
        kept = -1;
    }
}
