package io.isola.internal.launch;

import io.isola.api.IsolaException;
import io.isola.internal.chain.StepRecordReader;
import io.isola.internal.nativ.Errno;
import io.isola.internal.nativ.NativeException;
import io.isola.internal.nativ.Syscalls;
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
        open(stateDir, timeout, Syscalls.linux());
    }

    /** As above, every kernel call through {@code host}. */
    static void open(Path stateDir, Duration timeout, Syscalls host) {
        GateFifos fifos = new GateFifos(stateDir, host);
        byte[] payload = fifos.payload();
        String[] candidates = new String(payload, StandardCharsets.UTF_8).split("\0");
        int status = fifos.openStatusForReading();
        try (StepRecordReader records = new StepRecordReader(status, host)) {
            int gate;
            try {
                gate = fifos.openGateForStart();
            } catch (NativeException e) {
                if (e.errno() == ENXIO || e.errno() == Errno.ENOENT) {
                    throw new IsolaException("the container's process is not waiting at its gate any more");
                }
                throw e;
            }
            try {
                host.write(gate, payload, "write to the gate");
            } finally {
                host.closeQuietly(gate);
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            Integer gateRecord = records.next(deadline);
            if (gateRecord == null) {
                throw new IsolaException("the container's process ended at its gate");
            }
            FailedExec failedExec = new FailedExec();
            for (String candidate : candidates) {
                Integer value = records.next(deadline);
                if (value == null) {
                    LOG.debug("started {} through {}", stateDir, candidate);
                    return;
                }
                failedExec.candidateFailed(value);
            }
            throw failedExec.exception(candidates[candidates.length - 1]);
        } catch (TimeoutException e) {
            throw new IsolaException("the container did not start within " + timeout.toSeconds() + " s");
        } finally {
            host.closeQuietly(status);
        }
    }
}
