package io.isola.internal.launch;

import io.isola.internal.nativ.NativeException;
import io.isola.internal.nativ.Syscalls;
import java.util.List;

/**
 * The two channels of one run of the launch protocol ({@link io.isola.internal.chain.StepRecordReader}):
 * the status channel, whose write end the child keeps and whose read end gives its records, and
 * the gate, whose read end the child keeps and whose write end answers its checkpoints and gives
 * it the exec paths. Pipes, or an OCI create's FIFOs ({@link GateFifos}). Closing releases every
 * end still held.
 */
final class ProtocolChannels implements AutoCloseable {

    private static final int EPIPE = 32;

    private final Syscalls host;
    /** {@code [read end, child's write end]}. */
    private final int[] status;
    /** {@code [child's read end, write end]}. */
    private final int[] gate;

    private ProtocolChannels(Syscalls host, int[] status, int[] gate) {
        this.host = host;
        this.status = status;
        this.gate = gate;
    }

    /**
     * Pipes, or {@code fifos} when not null; with {@code remote} (else null), the child's ends
     * are {@link RemoteClones#lift}ed to the numbers its cloning process gives its copies.
     */
    static ProtocolChannels open(Syscalls host, GateFifos fifos, RemoteClone remote) {
        int[] status = fifos != null ? fifos.openStatusForCreate() : host.pipe();
        int[] gate;
        try {
            gate = fifos != null ? fifos.openGateForChild() : host.pipe();
        } catch (RuntimeException e) {
            host.closeQuietly(status[0]);
            host.closeQuietly(status[1]);
            throw e;
        }
        ProtocolChannels channels = new ProtocolChannels(host, status, gate);
        if (remote != null) {
            try {
                channels.lift(status, 1, remote);
                channels.lift(gate, 0, remote);
            } catch (RuntimeException e) {
                channels.close();
                throw e;
            }
        }
        return channels;
    }

    private void lift(int[] pair, int end, RemoteClone remote) {
        int fd = pair[end];
        pair[end] = -1; // lift closes it whatever happens
        pair[end] = RemoteClones.lift(host, fd, remote);
    }

    int statusRead() {
        return status[0];
    }

    int statusForChild() {
        return status[1];
    }

    int gateForChild() {
        return gate[0];
    }

    /** The ends the child keeps, which its program names. */
    List<Integer> childEnds() {
        return List.of(status[1], gate[0]);
    }

    /** Closes this process's copies of the child's ends, once the child has its own. */
    void closeChildEnds() {
        close(status, 1);
        close(gate, 0);
    }

    /**
     * Writes {@code bytes} to the gate: a checkpoint's answer or the exec paths. False when no
     * reader is left (EPIPE): the child has gone.
     */
    boolean answer(byte[] bytes) {
        try {
            host.write(gate[1], bytes, "write to the gate");
            return true;
        } catch (NativeException e) {
            if (e.errno() != EPIPE) {
                throw e;
            }
            return false;
        }
    }

    /** Closes the gate's write end: a child that still reads it gets EOF, and no exec paths. */
    void closeGate() {
        close(gate, 1);
    }

    private void close(int[] pair, int end) {
        host.closeQuietly(pair[end]);
        pair[end] = -1;
    }

    @Override
    public void close() {
        closeGate();
        closeChildEnds();
        close(status, 0);
    }
}
