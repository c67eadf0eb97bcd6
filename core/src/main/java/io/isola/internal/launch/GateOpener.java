package io.isola.internal.launch;

import io.isola.api.ExecFailedException;
import io.isola.api.IsolaException;
import io.isola.internal.chain.StepRecordReader;
import io.isola.internal.nativ.Errno;
import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.Native;
import io.isola.internal.nativ.NativeException;
import io.isola.internal.nativ.NativeMemory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OCI {@code start}: opens the gate of a container that {@code create} left waiting, from any
 * process, and returns once its command runs (the protocol is in {@link StepRecordReader}).
 * Its status FIFO is opened for reading before the gate is written, so the child never writes to
 * a FIFO without a reader.
 */
public final class GateOpener {

    private static final Logger LOG = LoggerFactory.getLogger(GateOpener.class);
    private static final int ENXIO = 6;

    private GateOpener() {}

    public static void open(Path stateDir, Duration timeout) {
        GateFifos fifos = new GateFifos(stateDir);
        byte[] payload = fifos.payload();
        String[] candidates = new String(payload, StandardCharsets.UTF_8).split("\0");
        Native n = Native.get();
        int status = Fds.open(stateDir.resolve(GateFifos.STATUS).toString(), Fds.O_RDONLY | Fds.O_NONBLOCK, 0);
        try (StepRecordReader records = new StepRecordReader(status)) {
            int gate = n.libc()
                    .open(
                            stateDir.resolve(GateFifos.GATE).toString(),
                            Fds.O_WRONLY | Fds.O_NONBLOCK | Fds.O_CLOEXEC,
                            0);
            if (gate < 0) {
                int errno = n.lastErrno();
                throw errno == ENXIO || errno == Errno.ENOENT
                        ? new IsolaException("the container's process is not waiting at its gate any more")
                        : new NativeException("open the gate of " + stateDir, errno);
            }
            try (NativeMemory buffer = new NativeMemory(payload.length)) {
                NativeMemory.putBytes(buffer.address(), payload);
                n.retrying("write to the gate", () -> n.libc().write(gate, buffer.address(), payload.length));
            } finally {
                Fds.closeQuietly(gate);
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            Integer gateRecord = records.next(deadline);
            if (gateRecord == null) {
                throw new IsolaException("the container's process ended at its gate");
            }
            int execErrno = 0;
            for (String candidate : candidates) {
                Integer value = records.next(deadline);
                if (value == null) {
                    LOG.debug("started {} through {}", stateDir, candidate);
                    return;
                }
                execErrno = execErrno == 0 || execErrno == Errno.ENOENT ? value : execErrno;
            }
            throw new ExecFailedException(
                    candidates[candidates.length - 1], execErrno, Errno.name(execErrno), Errno.describe(execErrno));
        } catch (TimeoutException e) {
            throw new IsolaException("the container did not start within " + timeout.toSeconds() + " s");
        } finally {
            Fds.closeQuietly(status);
        }
    }
}
