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
 * {@code create}, issue 17): the program ({@link ProgramWire}), the namespace flags of the clone,
 * and the fd numbers the program names for its status and gate channels. Those two fds travel
 * beside the plan (SCM_RIGHTS); the cloning process puts them at these numbers first, which the
 * planner chose above {@link #FD_FLOOR} so that a fresh process has them free. The clone is
 * always fork-style: the child outlives the process that cloned it, as {@code create}'s must.
 */
public record ClonePlan(ChildProgram program, int namespaceFlags, int statusFd, int gateFd) {

    /**
     * Where the planner puts the fds it passes: above what a fresh JVM holds (~20) and an
     * engine's --preserve-fds, below the 1024 of a default soft RLIMIT_NOFILE.
     */
    public static final int FD_FLOOR = 600;

    /** "ISCP", then the version of this layout. */
    private static final int MAGIC = 0x49534350, VERSION = 1;

    public ClonePlan {
        if (statusFd < FD_FLOOR || gateFd < FD_FLOOR || statusFd == gateFd) {
            throw new IllegalArgumentException("clone plan fds " + statusFd + " and " + gateFd
                    + ": expected two different fds from " + FD_FLOOR + " up");
        }
    }

    /** The fds the cloning process must hold at these numbers, in the order they are passed. */
    public int[] fds() {
        return new int[] {statusFd, gateFd};
    }

    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 * 1024);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(namespaceFlags);
            out.writeInt(statusFd);
            out.writeInt(gateFd);
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
            int flags = in.getInt(), status = in.getInt(), gate = in.getInt();
            return new ClonePlan(
                    ProgramWire.decode(Arrays.copyOfRange(wire, in.position(), wire.length)), flags, status, gate);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("clone plan: " + wire.length + " bytes, cut short in its header", e);
        }
    }
}
