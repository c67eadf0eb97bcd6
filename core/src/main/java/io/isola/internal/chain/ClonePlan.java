package io.isola.internal.chain;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * What a process other than the planner needs to clone a planned child (the thin OCI
 * {@code create} and {@code exec}, issue 17): the program ({@link ProgramWire}), the namespace
 * flags of the clone, and the fd numbers the program names: its status and gate channels, and
 * any others the planner opened for it (an exec's namespaces to join, a stream's /dev/null, the
 * /proc of an AppArmor profile). Those fds travel beside the plan (SCM_RIGHTS); the cloning
 * process puts them at these numbers first, which the planner chose from the cloning process's
 * floor up (the lowest number above every fd it held when it asked: {@code RemoteClone}). The clone is always fork-style: the child outlives the
 * process that cloned it ({@code create}), or is born in the PID namespace of {@code
 * pidNamespaceFd} ({@code exec}: the cloning thread joins it for the clone, so the child needs no
 * second process to get there, whose pid only the cloning process would know).
 *
 * @param pidNamespaceFd the PID namespace the child is born in, or -1 for the cloning thread's own
 * @param otherFds the other fds the program names, each from {@link #FIRST_FD} up
 */
public record ClonePlan(
        ChildProgram program, int namespaceFlags, int statusFd, int gateFd, int pidNamespaceFd, int[] otherFds) {

    /** The lowest number a plan's fd may have: 0-2 are the child's standard streams. */
    public static final int FIRST_FD = 3;

    /** "ISCP", then the version of this layout. */
    private static final int MAGIC = 0x49534350, VERSION = 2;
    /** Bounds the fds a plan names: an exec joins at most eight namespaces. */
    private static final int MAX_OTHER_FDS = 32;

    public ClonePlan {
        otherFds = otherFds.clone();
        if (otherFds.length > MAX_OTHER_FDS) {
            throw new IllegalArgumentException(
                    "clone plan: " + otherFds.length + " fds besides the protocol's, at most " + MAX_OTHER_FDS);
        }
        int[] all = all(statusFd, gateFd, pidNamespaceFd, otherFds);
        for (int i = 0; i < all.length; i++) {
            for (int j = i + 1; j < all.length; j++) {
                if (all[i] == all[j]) {
                    throw new IllegalArgumentException("clone plan fd " + all[i] + " is named twice");
                }
            }
            if (all[i] < FIRST_FD) {
                throw new IllegalArgumentException(
                        "clone plan fd " + all[i] + ": expected different fds from " + FIRST_FD + " up");
            }
        }
    }

    /** A create's plan: the protocol's fds only, born in the cloning thread's PID namespace. */
    public ClonePlan(ChildProgram program, int namespaceFlags, int statusFd, int gateFd) {
        this(program, namespaceFlags, statusFd, gateFd, -1, new int[0]);
    }

    @Override
    public int[] otherFds() {
        return otherFds.clone();
    }

    /** The fds the cloning process must hold at these numbers, in the order they are passed. */
    public int[] fds() {
        return all(statusFd, gateFd, pidNamespaceFd, otherFds);
    }

    private static int[] all(int statusFd, int gateFd, int pidNamespaceFd, int[] otherFds) {
        int protocol = pidNamespaceFd < 0 ? 2 : 3;
        int[] all = Arrays.copyOf(new int[] {statusFd, gateFd, pidNamespaceFd}, protocol + otherFds.length);
        System.arraycopy(otherFds, 0, all, protocol, otherFds.length);
        return all;
    }

    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 * 1024);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(namespaceFlags);
            out.writeInt(statusFd);
            out.writeInt(gateFd);
            out.writeInt(pidNamespaceFd);
            out.writeInt(otherFds.length);
            for (int fd : otherFds) {
                out.writeInt(fd);
            }
            out.write(ProgramWire.encode(program));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen in memory
        }
        return bytes.toByteArray();
    }

    /** Reads a plan strictly: a wrong magic, version or fd number is refused with what was found. */
    public static ClonePlan decode(byte[] wire) {
        ByteBuffer in = ByteBuffer.wrap(wire);
        try {
            int magic = in.getInt(), version = in.getInt();
            if (magic != MAGIC || version != VERSION) {
                throw new IllegalArgumentException(String.format(
                        "clone plan: magic %08x version %d, expected %08x version %d", magic, version, MAGIC, VERSION));
            }
            int flags = in.getInt(), status = in.getInt(), gate = in.getInt(), pidNamespace = in.getInt();
            int count = in.getInt();
            if (count < 0 || count > MAX_OTHER_FDS) {
                throw new IllegalArgumentException(
                        "clone plan: " + count + " fds besides the protocol's, expected 0 to " + MAX_OTHER_FDS);
            }
            int[] others = new int[count];
            for (int i = 0; i < count; i++) {
                others[i] = in.getInt();
            }
            return new ClonePlan(
                    ProgramWire.decode(Arrays.copyOfRange(wire, in.position(), wire.length)),
                    flags,
                    status,
                    gate,
                    pidNamespace,
                    others);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("clone plan: " + wire.length + " bytes, cut short in its header", e);
        }
    }
}
