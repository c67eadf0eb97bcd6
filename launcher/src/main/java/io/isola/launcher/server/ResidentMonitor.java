package io.isola.launcher.server;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.IsolaException;
import io.isola.api.Stdio;
import io.isola.launcher.IsolaRuntime;
import io.isola.launcher.attach.ConsoleHolder;
import io.isola.launcher.attach.ConsoleMode;
import io.isola.launcher.cli.run.ContainerStart;
import io.isola.launcher.cli.run.RestartPolicy;
import io.isola.launcher.cli.run.RunCommand;
import io.isola.launcher.health.HealthChecker;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Monitor;
import io.isola.lifecycle.Relaunch;
import io.isola.lifecycle.StateStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
     * returns once it runs; its state is removed if it does not start. {@code config} is its
     * command line's {@code --config} (null: none), its restart policy's restarts' too.
     */
    public static void start(
            StateStore store,
            ContainerState state,
            Function<Set<String>, ContainerSpec> configured,
            ConsoleMode console,
            Path config)
            throws InterruptedException {
        String id = state.id();
        Monitor monitor;
        Monitor.Running running;
        ConsoleHolder holder = null;
        // the server's own runtime, lent; or, for a command line with a --config of its own, one
        // booted for it, which the container's thread closes once the container has ended: closed
        // here, it would end the container with it
        IsolaRuntime runtime = IsolaRuntime.withIsolators(config, Set.of());
        try {
            ContainerSpec spec = configured.apply(runtime.defaultIsolators());
            runtime.require(spec.isolators().orElse(RunCommand.DEFAULT_ISOLATORS));
            Path log = store.dir(id).resolve("container.log"); // where Monitor.register said it is
            ContainerSpec detached = console.applyTo(spec.toBuilder()
                            .id(id)
                            .stdin(Stdio.NULL)
                            .stdout(new Stdio.ToFile(log, true))
                            .stderr(new Stdio.ToFile(log, true)))
                    .build();
            monitor = new Monitor(runtime.isola(), store);
            running = monitor.start(state, detached); // removes the state when it fails
            if (console.held()) {
                try {
                    holder = ConsoleHolder.hold(store.dir(id), running.container(), console, log);
                } catch (RuntimeException e) {
                    running.container().kill(9); // not left running without the terminal or stdin it was run with
                    try (Container container = running.container()) {
                        monitor.await(running);
                    }
                    throw e;
                }
            }
        } catch (RuntimeException e) {
            runtime.close();
            Monitor.failed(store, state, e); // removed if new, stopped with why if started again
            throw e;
        } catch (InterruptedException e) {
            runtime.close();
            Monitor.failed(store, state, new IsolaException("interrupted while starting"));
            throw e;
        }
        RUNNING.incrementAndGet();
        ConsoleHolder held = holder;
        Thread thread = new Thread(
                () -> await(store, runtime, monitor, running, held, config),
                "isola-detached-" + id.substring(0, Math.min(12, id.length())));
        thread.setDaemon(true);
        thread.start();
        HealthChecker.watch(store, id); // its health check, as the restart policy, is the server's
    }

    private static void await(
            StateStore store,
            IsolaRuntime runtime,
            Monitor monitor,
            Monitor.Running running,
            ConsoleHolder holder,
            Path config) {
        String id = running.state().id();
        try {
            try (Container container = running.container()) {
                if (holder != null) {
                    holder.awaitOutput();
                }
                int code = monitor.await(running).shellCode();
                if (holder != null) {
                    holder.exited(code);
                }
            } finally {
                if (holder != null) {
                    holder.close(); // closed already unless recording the exit failed: no socket or thread stays
                }
                runtime.close(); // after the container (a lent one stays open)
            }
            restartByPolicy(store, id, config);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("container {}: recording its exit or restarting it failed: {}", id, e.toString());
        } finally {
            RUNNING.decrementAndGet(); // after a restart, which counts itself: the server stays up throughout
        }
    }

    /** Runs the container again, after Docker's back-off, when its restart policy says so. */
    private static void restartByPolicy(StateStore store, String id, Path config) throws InterruptedException {
        ContainerState ended = store.read(id);
        if (ended == null
                || ended.isola() == null
                || ended.isola().relaunch() == null
                || ended.status() != ContainerState.Status.STOPPED) {
            return; // removed (--rm, rm -f), or started again by a user already
        }
        Relaunch relaunch = ended.isola().relaunch();
        RestartPolicy policy = RestartPolicy.parse(relaunch.policy() == null ? Relaunch.NO : relaunch.policy());
        if (!policy.restarts(ended.isola().exitCode(), relaunch.count(), relaunch.stopped())) {
            return;
        }
        Thread.sleep(
                RestartPolicy.delay(relaunch.count(), ranFor(ended.isola())).toMillis());
        LOG.info("container {}: restarting it ({}, restart {})", id, policy, relaunch.count() + 1);
        ContainerStart.restartByPolicy(store, id, relaunch.count() + 1, config);
    }

    private static Duration ranFor(ContainerState.Extra extra) {
        try {
            return Duration.between(Instant.parse(extra.startedAt()), Instant.parse(extra.finishedAt()));
        } catch (RuntimeException e) {
            return Duration.ZERO;
        }
    }
}
