package io.isola.lifecycle;

import io.isola.api.CgroupLocation;
import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.ExitStatus;
import io.isola.api.Isola;
import io.isola.api.ResourceControl;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parent of a container for its whole life: starts it, records it as running, reaps it and
 * records its exit, then removes its state if asked to. The foreground {@code run} is a monitor
 * in the CLI's own process; a detached container gets a monitor process of its own
 * ({@link MonitorProcess}), which is why it keeps its exit status after the CLI has gone.
 */
public final class Monitor {

    private static final Logger LOG = LoggerFactory.getLogger(Monitor.class);

    private final Isola isola;
    private final StateStore store;

    public Monitor(Isola isola, StateStore store) {
        this.isola = isola;
        this.store = store;
    }

    /** A new id: 64 hex digits, as docker's. */
    public static String newId() {
        return (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "");
    }

    /**
     * Writes the first state of a container ("creating", this process as its monitor), taking
     * its id and name; throws if either is taken.
     */
    public static ContainerState register(
            StateStore store, String id, String name, ContainerSpec spec, boolean detached, boolean autoRemove) {
        return register(store, id, name, spec, detached, autoRemove, null, Map.of(), null, null);
    }

    /**
     * Like {@link #register(StateStore, String, String, ContainerSpec, boolean, boolean)}, with how
     * to run it again, the user's labels (kept as the state's annotations, as OCI engines keep theirs)
     * how {@code stop} ends it (null: SIGTERM, SIGKILL after 10 s) and its health check (null: none).
     */
    public static ContainerState register(
            StateStore store,
            String id,
            String name,
            ContainerSpec spec,
            boolean detached,
            boolean autoRemove,
            Relaunch relaunch,
            Map<String, String> labels,
            StopConfig stop,
            Healthcheck health) {
        ContainerState.Extra extra = ContainerState.Extra.builder()
                .name(name)
                .monitor(ProcessIdentity.self())
                .autoRemove(autoRemove ? Boolean.TRUE : null)
                .detached(detached ? Boolean.TRUE : null)
                .logFile(
                        detached
                                ? store.dir(id).resolve(MonitorProcess.LOG_FILE).toString()
                                : null)
                .spec(SavedSpec.of(spec).withStop(stop).withHealth(health))
                .relaunch(relaunch)
                .build();
        ContainerState state = new ContainerState(
                ContainerState.OCI_VERSION,
                id,
                ContainerState.Status.CREATING,
                0,
                null,
                Map.copyOf(labels),
                Instant.now().toString(),
                extra);
        store.create(state);
        EventLog.record(store, EventLog.CREATE, state, Map.of());
        return state;
    }

    /**
     * Leaves a registered container as Docker's {@code create} does: made, never started, for
     * {@code start} to run ({@link #rerun} takes it up as it takes up a stopped one).
     */
    public static ContainerState created(StateStore store, ContainerState registered) {
        ContainerState created = registered
                .withStatus(ContainerState.Status.STOPPED)
                .withPid(0)
                .withExtra(registered.isola().withProcess(ProcessIdentity.NONE, null, null));
        store.write(created);
        return created;
    }

    /**
     * Takes up a stopped container to run it again ({@code start}, a restart policy): writes it
     * down as "creating" with this process as its monitor, its last exit forgotten, detached, and
     * its relaunch record as {@code update} makes it (its restart count). Returns that state, or
     * null when the container is not stopped (it runs already, or another {@code start} took it up
     * first) or {@code update} returns null (a policy's restart that a user's stop called off).
     * The writable layer and the log stay.
     */
    public static ContainerState rerun(StateStore store, String id, UnaryOperator<Relaunch> update) {
        return store.locked(() -> {
            ContainerState stored = store.read(id);
            if (stored == null
                    || stored.status() != ContainerState.Status.STOPPED
                    || stored.isola() == null
                    || stored.isola().relaunch() == null) {
                return null;
            }
            Relaunch relaunch = update.apply(stored.isola().relaunch());
            if (relaunch == null) {
                return null;
            }
            ContainerState.Extra extra = stored.isola()
                    .withExit(null, null, null, null)
                    .withProcess(
                            ProcessIdentity.NONE,
                            ProcessIdentity.self(),
                            stored.isola().startedAt())
                    .withCgroup(null)
                    .withRelaunch(relaunch)
                    .detachedTo(store.dir(id).resolve(MonitorProcess.LOG_FILE).toString());
            ContainerState creating =
                    stored.withStatus(ContainerState.Status.CREATING).withPid(0).withExtra(extra);
            store.write(creating);
            return creating;
        });
    }

    /**
     * Starts the container of {@code state} (which must be "creating") from {@code spec}, and
     * records it as running with this process as its monitor. On failure a new container's state
     * is removed; one that ran before (see {@link #rerun}) is written down as stopped, with why.
     */
    public Running start(ContainerState state, ContainerSpec spec) {
        Container container;
        try {
            container = isola.start(spec);
        } catch (RuntimeException e) {
            failed(store, state, e);
            throw e;
        }
        ProcessIdentity process = ProcessIdentity.of(container.pid());
        // where its cgroup is, so that pause, resume and stats reach it from another process by id
        CgroupLocation location = container
                .facet(ResourceControl.class)
                .flatMap(ResourceControl::location)
                .orElse(null);
        // over the stored state, under the root's lock: a user's stop written down while it was
        // created (its restart policy must not undo it) and update's limits are kept
        ContainerState running = store.locked(() -> {
            ContainerState stored = store.read(state.id());
            ContainerState base = stored != null && stored.isola() != null ? stored : state;
            ContainerState.Extra extra = base.isola()
                    .withProcess(process, ProcessIdentity.self(), Instant.now().toString());
            if (location != null) {
                extra = extra.withCgroup(new CgroupState(location, null, null));
            }
            ContainerState started = base.withStatus(ContainerState.Status.RUNNING)
                    .withPid(container.pid())
                    .withExtra(extra);
            EventLog.record(store, EventLog.START, started, Map.of()); // before the state a waiter looks for, as die
            store.write(started);
            return started;
        });
        return new Running(running, container);
    }

    /** Waits for the container to end, records its exit status, and removes it if it was run with --rm. */
    public ExitStatus await(Running running) throws InterruptedException {
        ExitStatus status = running.container().waitFor();
        ContainerState state = running.state();
        // the cgroup's OOM-kill counter, read before the container's close removes the cgroup (its
        // isolation keeps the last reading), so inspect can tell an OOM kill from another SIGKILL
        boolean oomKilled = running.container()
                .facet(ResourceControl.class)
                .map(ResourceControl::oomKilled)
                .orElse(false);
        // under the root's lock: a pause recorded at the same moment re-reads and leaves a stopped container be
        ContainerState.Extra extra = store.locked(() -> {
            ContainerState stored = store.read(state.id());
            if (stored == null) {
                return null;
            }
            ContainerState.Extra exited = stored.isola()
                    .withExit(
                            status.shellCode(),
                            status.killedBySignal() ? status.signal() : null,
                            Instant.now().toString(),
                            null);
            if (exited.cgroup() != null || oomKilled) {
                CgroupState cgroup = exited.cgroup() != null ? exited.cgroup() : new CgroupState(null, null, null);
                exited = exited.withCgroup(cgroup.withOomKilled(oomKilled));
            }
            // before the state says stopped: whoever waited for that (wait, a script) then finds the events too
            if (oomKilled) {
                EventLog.record(store, EventLog.OOM, state, Map.of());
            }
            EventLog.record(store, EventLog.DIE, state, Map.of("exitCode", Integer.toString(status.shellCode())));
            store.write(stored.withStatus(ContainerState.Status.STOPPED).withExtra(exited));
            return exited;
        });
        if (extra == null) {
            LOG.debug("container {} was removed while running", state.id());
            return status;
        }
        if (Boolean.TRUE.equals(extra.autoRemove())) {
            store.delete(state.id());
        }
        LOG.info("container {} {}", state.id(), status);
        return status;
    }

    /** Forgets a container that never ran, or writes down why one that ran before did not start again. */
    public static void failed(StateStore store, ContainerState state, RuntimeException why) {
        if (state.isola() == null || state.isola().startedAt() == null) {
            store.delete(state.id());
            return;
        }
        store.locked(() -> {
            ContainerState stored = store.read(state.id());
            if (stored != null && stored.status() == ContainerState.Status.CREATING) {
                // Docker's exit code for a start that failed in the runtime
                store.write(stored.withStatus(ContainerState.Status.STOPPED)
                        .withExtra(stored.isola()
                                .withExit(
                                        125,
                                        null,
                                        Instant.now().toString(),
                                        "it did not start again: " + why.getMessage())));
            }
            return null;
        });
    }

    /** A started container and its recorded state. */
    public record Running(ContainerState state, Container container) {}
}
