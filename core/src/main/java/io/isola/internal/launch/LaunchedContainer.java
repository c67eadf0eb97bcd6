package io.isola.internal.launch;

import static io.isola.internal.nativ.Signals.SIGKILL;

import io.isola.api.Container;
import io.isola.api.ExitStatus;
import io.isola.api.ResourceControl;
import io.isola.internal.nativ.FdInputStream;
import io.isola.internal.nativ.FdOutputStream;
import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.HeldProcess;
import io.isola.internal.nativ.Pty;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A running container. Its isolations are released once, right after the first process has been
 * reaped (by whichever thread waits first), so cleanup never races the process.
 */
final class LaunchedContainer implements Container {

    private final String id;
    private final HeldProcess process;
    private final List<PreparedIsolation> isolations;
    private final Consumer<LaunchedContainer> onRelease;
    private final InputStream stdout;
    private final InputStream stderr;
    private final OutputStream stdin;
    /** The terminal's master, or -1. */
    private int terminal;

    private boolean released;
    private volatile boolean detached;

    LaunchedContainer(
            String id,
            HeldProcess process,
            StdioPlan stdio,
            List<PreparedIsolation> isolations,
            Consumer<LaunchedContainer> onRelease) {
        this.id = id;
        this.process = process;
        this.isolations = isolations;
        this.onRelease = onRelease;
        this.terminal = stdio.takeTerminal();
        int in = stdio.takeHostFd(0), out = stdio.takeHostFd(1), err = stdio.takeHostFd(2);
        this.stdin = in >= 0 ? new FdOutputStream(in) : OutputStream.nullOutputStream();
        this.stdout = out >= 0 ? new FdInputStream(out) : InputStream.nullInputStream();
        this.stderr = err >= 0 ? new FdInputStream(err) : InputStream.nullInputStream();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public ExitStatus waitFor() throws InterruptedException {
        ExitStatus status;
        do {
            status = process.awaitExit(Duration.ofDays(1));
        } while (status == null);
        release();
        return status;
    }

    @Override
    public Optional<ExitStatus> waitFor(Duration timeout) throws InterruptedException {
        ExitStatus status = process.awaitExit(timeout);
        if (status != null) {
            release();
        }
        return Optional.ofNullable(status);
    }

    @Override
    public void kill(int signal) {
        process.signal(signal);
    }

    @Override
    public InputStream stdout() {
        return stdout;
    }

    @Override
    public InputStream stderr() {
        return stderr;
    }

    @Override
    public OutputStream stdin() {
        return stdin;
    }

    @Override
    public <T> Optional<T> facet(Class<T> type) {
        for (PreparedIsolation prepared : isolations) {
            Optional<T> facet = prepared.isolation().facet(type);
            if (facet.isPresent()) {
                return facet;
            }
        }
        return Optional.empty();
    }

    @Override
    public synchronized void resizeTerminal(int columns, int rows) {
        if (terminal < 0) {
            Container.super.resizeTerminal(columns, rows);
        }
        Pty.resize(terminal, columns, rows);
    }

    @Override
    public void detach() {
        detached = true;
    }

    @Override
    public void close() {
        if (detached) {
            process.close();
            closeHostEnds();
            onRelease.accept(this);
            return;
        }
        boolean interrupted = false;
        while (process.status() == null) {
            process.signal(SIGKILL);
            // a paused container's processes (v1 freezer) take the pending SIGKILL only once thawed
            try {
                facet(ResourceControl.class).filter(ResourceControl::paused).ifPresent(ResourceControl::resume);
            } catch (RuntimeException e) {
                // the cgroup's own cleanup kills (and thaws) whatever is left
            }
            try {
                process.awaitExit(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        release();
        closeHostEnds();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeHostEnds() {
        try {
            stdin.close();
            stdout.close();
            stderr.close();
        } catch (java.io.IOException e) {
            // fd streams do not throw on close
        }
        synchronized (this) {
            Fds.closeQuietly(terminal);
            terminal = -1;
        }
    }

    private void release() {
        synchronized (this) {
            if (released) {
                return;
            }
            released = true;
        }
        process.close();
        Orchestrator.closeAll(isolations);
        onRelease.accept(this);
    }
}
