package io.isola.internal.chain;

import io.isola.internal.nativ.Syscalls;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeoutException;

/**
 * The host's end of the status pipe.
 *
 * <h2>The step-record and gate protocol</h2>
 *
 * <ol>
 *   <li>The child keeps one record, its errno as a native 4-byte int, for every reported op of
 *       its {@link ChildProgram}, in program order ({@link ChildProgram#records()}), and writes
 *       the records kept so far in one batch just before it can block or end (a checkpoint, the
 *       gate, a spawn, an execve, its last {@code _exit}). 0 means success; the host compares
 *       anything else against the op's tolerated errnos. So a child that dies between two
 *       batches takes the records since the last one with it: EOF at a record means it ended at
 *       that op or at one after it, before the next batch.
 *   <li>The first record also tells the host that the clone happened: only then may it close its
 *       copies of the child's pipe ends and act on the child's pid. If no child could be
 *       created, the cloning thread writes {@link CloneThreads#NO_CHILD} or a negative errno
 *       instead.
 *   <li>A checkpoint is a 1-byte read of the gate pipe: before reading a checkpoint's record,
 *       the host writes one byte, which it only does when every record so far was clean.
 *   <li>The gate is a read of the exec paths from the gate pipe ({@link GatePayload}). The host
 *       writes them after every record before it was clean and every isolator's host-side work
 *       is done. A host that refuses closes the gate pipe instead: the child reads EOF, every
 *       execve gets "" and the chain ends in {@code _exit(127)}. A host that dies is noticed
 *       through the parent-death signal, which kills the child.
 *   <li>After the gate, every failed execve candidate writes a record; the one that succeeds
 *       closes the (close-on-exec) pipe, so EOF in place of an exec record means the command
 *       runs. EOF anywhere else means the child died.
 *   <li>Spawn (an exec into a running container; a container that creates a PID namespace
 *       beside a user namespace it joins): the child clones a sibling with {@code CLONE_PARENT |
 *       CLONE_PARENT_SETTID} and then exits; the sibling runs the rest of the program and is the
 *       process the host waits at the gate and reaps. The spawn record is the sibling's pid (as
 *       the spawner sees it). A vfork-style child spawns with {@code CLONE_VM | CLONE_VFORK}:
 *       the sibling's first write carries the record, a failed clone writes nothing (the host
 *       sees EOF there), and the first child waits until the sibling execs or dies before it
 *       closes its copy of the status pipe, so EOF still means "exec'd or dead". A fork-style
 *       child spawns a copy: it writes the record itself (0 when the clone failed) and exits,
 *       while the sibling waits at a checkpoint, so the two never write at once.
 * </ol>
 *
 * <h2>Clone modes</h2>
 *
 * In {@link CloneMode#VFORK} mode the status and gate channels are anonymous pipes. In
 * {@link CloneMode#FORK} mode (OCI {@code create} / {@code start}) they are FIFOs in the
 * container's state directory, so that two processes can serve one child: {@code create} reads the
 * records up to the gate, runs the host-side work and exits, leaving the child blocked in its read
 * of the gate FIFO (which the child holds open read-write, so that it never reads EOF while no
 * {@code start} is connected). {@code start} opens the status FIFO for reading first, then writes
 * the exec paths into the gate FIFO and reads the gate record, the exec records and EOF, as
 * above. The child writes nothing between those two processes, so its writes never meet a FIFO
 * without reader. There is no parent-death signal in this mode: the child outlives {@code create}
 * by design, and {@code delete} kills it.
 */
public final class StepRecordReader implements AutoCloseable {

    /** Records read ahead: the child writes dozens between two waits, so one read takes them all. */
    private static final int BATCH = 64;

    private final Syscalls host;
    private final int fd;
    private ByteBuffer batch = ByteBuffer.allocate(0);

    public StepRecordReader(int fd) {
        this(fd, Syscalls.linux());
    }

    /** Reads {@code fd} through {@code host}'s calls: the kernel's, or a test's scripted child. */
    public StepRecordReader(int fd, Syscalls host) {
        this.fd = fd;
        this.host = host;
    }

    /**
     * The next record, or null at EOF. Waits until {@code deadlineNanos} ({@link System#nanoTime()}
     * time) at the most. Each record is one atomic 4-byte write to a pipe, so a read returns whole
     * records only.
     */
    public Integer next(long deadlineNanos) throws TimeoutException {
        if (batch.hasRemaining()) {
            return batch.getInt();
        }
        while (true) {
            // rounded up: a wait of 0 ms before the deadline would spin
            long left = Math.max(0, (deadlineNanos - System.nanoTime() + 999_999) / 1_000_000);
            if (!host.awaitReadable(fd, (int) Math.min(Integer.MAX_VALUE, left))) {
                if (System.nanoTime() - deadlineNanos >= 0) {
                    throw new TimeoutException();
                }
                continue; // a signal cut the wait short
            }
            byte[] bytes = host.read(fd, 4 * BATCH, "read of the status pipe");
            if (bytes.length == 0) {
                return null;
            }
            if (bytes.length % 4 != 0) {
                throw new IllegalStateException("status pipe gave " + bytes.length + " bytes, not whole records");
            }
            batch = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
            return batch.getInt();
        }
    }

    /** Nothing to release now that the batch is a heap buffer; kept so that callers hold it in a try. */
    @Override
    public void close() {}
}
