package io.isola.internal.launch;

import io.isola.api.ExitStatus;
import io.isola.api.IsolaException;
import io.isola.internal.chain.ExpectedRecord;
import io.isola.internal.nativ.HeldProcess;
import io.isola.spi.ClonedChild;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The isolators' host-side work during a start: their {@code afterClone}, run once before the
 * first checkpoint or the gate is answered (the child may be waiting for it: its id maps; every
 * record so far was clean), and the work a checkpoint waits for, which an {@code afterClone} left
 * running while the child went on. A failure of either refuses the child at the gate and fails the
 * start, naming the isolator.
 */
final class HostSideWork implements AutoCloseable {

    private final List<PreparedIsolation> isolations;
    private final Duration timeout;
    /** Closes the gate without the exec paths: how the child ended, or null when it had to be killed. */
    private final Supplier<ExitStatus> refusal;

    private boolean done;
    /** The child as the isolators' host side sees it, holding its namespaces until the launch ends. */
    private HeldChild held;

    HostSideWork(List<PreparedIsolation> isolations, Duration timeout, Supplier<ExitStatus> refusal) {
        this.isolations = isolations;
        this.timeout = timeout;
        this.refusal = refusal;
    }

    /** Every isolation's {@code afterClone} for {@code child}, the first time only. */
    void runOnce(HeldProcess child) {
        if (done) {
            return;
        }
        done = true;
        held = new HeldChild(child);
        ClonedChild cloned = held;
        for (PreparedIsolation prepared : isolations) {
            try {
                prepared.isolation().afterClone(cloned);
            } catch (Exception e) {
                ExitStatus refused = refusal.get();
                IsolaException failure = Orchestrator.isolatorFailure(prepared, "after clone", e);
                throw new IsolaException(failure.getMessage() + refusedText(refused), e);
            }
        }
    }

    /** Waits, until {@code deadline} ({@link System#nanoTime()}) at the most, for the work {@code record} needs. */
    void await(ExpectedRecord record, long deadline) {
        if (record.hostSide() == null) {
            return;
        }
        Throwable failure;
        try {
            record.hostSide().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return;
        } catch (ExecutionException e) {
            failure = e.getCause();
        } catch (TimeoutException e) {
            failure = new IsolaException("its host-side work for '" + record.description() + "' timed out after "
                    + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = e;
        }
        ExitStatus refused = refusal.get();
        String message = failure.getMessage() == null ? failure.toString() : failure.getMessage();
        throw new IsolaException(
                "isolator \"" + record.owner() + "\" failed in after clone: " + message + refusedText(refused),
                failure);
    }

    /** Closes the child's namespaces opened for the isolators: they are done with them. */
    @Override
    public void close() {
        if (held != null) {
            held.close();
        }
    }

    private static String refusedText(ExitStatus refused) {
        return "; the container's process was refused at the gate and " + (refused == null ? "killed" : refused)
                + " without running the command";
    }
}
