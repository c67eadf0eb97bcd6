package io.isola.launcher.server;

import io.isola.launcher.IsolaRuntime;
import io.isola.launcher.cli.run.RunCommand;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.Stdio;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Monitor;
import io.isola.lifecycle.StateStore;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Detached containers ({@code run -d}) monitored by the resident server itself, in place of a
 * monitor JVM each: the server is their parent, so it reaps them and records their exit codes
 * ({@link Monitor#await}), one thread per container. While any runs the server stays up.
 *
 * <p>What this trades: the memory of one JVM per container for a shared fate. If the server is
 * killed, its containers keep running (the clone chain clears the parent-death signal) but
 * nobody records their exit: the next {@code list} reports them as stopped with an unknown exit,
 * as it does for a killed monitor.
 */
public final class ResidentMonitor {

    private static final Logger LOG = LoggerFactory.getLogger(ResidentMonitor.class);
    private static final AtomicInteger RUNNING = new AtomicInteger();

    private ResidentMonitor() {}

    /** Detached containers this server monitors now. */
    public static int running() {
        return RUNNING.get();
    }

    /**
     * Starts the registered container {@code state} with its output appended to its log, and
     * returns once it runs; its state is removed if it does not start.
     */
    public static void start(StateStore store, ContainerState state, Function<Set<String>, ContainerSpec> configured)
            throws InterruptedException {
        String id = state.id();
        Monitor monitor;
        Monitor.Running running;
        try (IsolaRuntime runtime = IsolaRuntime.withIsolators(Set.of())) {
            ContainerSpec spec = configured.apply(runtime.defaultIsolators());
            runtime.require(spec.isolators().orElse(RunCommand.DEFAULT_ISOLATORS));
            Path log = store.dir(id).resolve("container.log"); // where Monitor.register said it is
            ContainerSpec detached = spec.toBuilder().id(id)
                    .stdin(Stdio.NULL).stdout(new Stdio.ToFile(log, true)).stderr(new Stdio.ToFile(log, true)).build();
            monitor = new Monitor(runtime.isola(), store);
            running = monitor.start(state, detached); // removes the state when it fails
        } catch (RuntimeException | InterruptedException e) {
            store.delete(id);
            throw e;
        }
        RUNNING.incrementAndGet();
        Thread thread = new Thread(() -> await(monitor, running), "isola-detached-" + id.substring(0, Math.min(12, id.length())));
        thread.setDaemon(true);
        thread.start();
    }

    private static void await(Monitor monitor, Monitor.Running running) {
        try (Container container = running.container()) {
            monitor.await(running);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("container {}: recording its exit failed: {}", running.state().id(), e.toString());
        } finally {
            RUNNING.decrementAndGet();
        }
    }
}
