package io.isola.lifecycle;

import io.isola.api.ContainerSpec;
import io.isola.api.IsolaException;
import io.isola.api.Join;
import io.isola.api.Resources;
import io.isola.internal.nativ.Signals;
import io.isola.spi.support.HostIdentity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The operations on containers that outlive one CLI call, over a {@link StateStore}. Every one
 * first brings the stored state up to date with the kernel ({@link #refresh}), so a crashed
 * monitor, a killed CLI or a reused pid never make it act on the wrong process.
 */
public final class Lifecycle {

    public static final int SIGKILL = Signals.SIGKILL, SIGTERM = Signals.SIGTERM;
    /** How long the monitor of a container that just ended may take to record its exit. */
    private static final Duration RECORD_GRACE = Duration.ofSeconds(5);
    /** How long a look (ps, inspect) waits for a live monitor to write down an exit it is reaping. */
    private static final Duration LOOK_GRACE = Duration.ofSeconds(1);

    private final StateStore store;

    public Lifecycle(StateStore store) {
        this.store = store;
    }

    public StateStore store() {
        return store;
    }

    /**
     * The state as the kernel has it now. A container whose process is gone is stopped; if no
     * live monitor will record its exit, that is written down with a note saying why the exit
     * status is unknown. A setup whose monitor died is stopped too.
     */
    public ContainerState refresh(ContainerState state) {
        ContainerState.Extra extra = state.isola();
        ProcessIdentity monitor = extra == null ? null : extra.monitor();
        boolean monitored = monitor != null && monitor.isAlive();
        switch (state.status()) {
            case CREATING -> {
                if (monitored) {
                    return state;
                }
                // killed between the exec and recording it: the kernel still has the processes in its cgroup
                ProcessIdentity found = ContainerCgroups.of(state).firstProcess();
                if (found.pid() > 0) {
                    return recordOrphan(state, found);
                }
                return record(state, "its setup was interrupted: the process that created it is gone");
            }
            case CREATED, RUNNING -> {
                if (state.process().isAlive()) {
                    return unsupervised(state) ? state.withExtra(extra.withNote(UNSUPERVISED)) : state;
                }
                if (monitored) {
                    return recordedByMonitor(state);
                }
                return record(
                        state,
                        extra != null && extra.exitCode() == null && monitor != null
                                ? "exit status unknown: its monitor died before the container ended"
                                : null);
            }
            default -> {
                return state;
            }
        }
    }

    /**
     * A container that has ended while its live monitor reaps it and writes the exit down: the
     * state once written (a look a moment later would show "exited" with no exit code), or, if
     * the monitor takes longer than {@link #LOOK_GRACE}, stopped with the code still to come.
     */
    private ContainerState recordedByMonitor(ContainerState seen) {
        long deadline = System.nanoTime() + LOOK_GRACE.toNanos();
        while (System.nanoTime() < deadline) {
            ContainerState stored = store.read(seen.id());
            // a restart policy may have started it again meanwhile: a new pid is moving on too
            if (stored == null || !stored.status().equals(seen.status()) || stored.pid() != seen.pid()) {
                return stored == null ? seen.withStatus(ContainerState.Status.STOPPED) : refresh(stored);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return seen.withStatus(ContainerState.Status.STOPPED);
    }

    /** Said of a container whose process runs on after its monitor died. */
    static final String UNSUPERVISED =
            "unsupervised: its monitor died, so nothing will record its exit;" + " rm -f stops and removes it";

    /**
     * Whether {@code state} is a live container whose monitor died (a killed CLI, server or
     * monitor process): its process runs on, but nothing will record its exit, remove it if it was
     * --rm, or release what it holds until a later command does.
     */
    public static boolean unsupervised(ContainerState state) {
        ProcessIdentity monitor = state.isola() == null ? null : state.isola().monitor();
        return isLive(state) && monitor != null && !monitor.isAlive();
    }

    /**
     * Whether {@code state} is a stopped container run with --rm that nobody will remove: its
     * monitor died before it could. The next command that sees it removes it.
     */
    public static boolean abandoned(ContainerState state) {
        ContainerState.Extra extra = state.isola();
        return state.status() == ContainerState.Status.STOPPED
                && extra != null
                && Boolean.TRUE.equals(extra.autoRemove())
                && (extra.monitor() == null || !extra.monitor().isAlive());
    }

    /** Records {@code found}, a process of its cgroup, as the first process of a container whose monitor died while creating it. */
    private ContainerState recordOrphan(ContainerState seen, ProcessIdentity found) {
        ContainerState running = seen.withStatus(ContainerState.Status.RUNNING)
                .withPid(found.pid())
                .withExtra(seen.isola().withProcess(found, seen.isola().monitor(), null));
        ContainerState movedOn = store.locked(() -> {
            ContainerState stored = store.read(seen.id());
            if (stored != null && !stored.status().equals(seen.status())) {
                return stored;
            }
            store.write(running);
            return null;
        });
        return refresh(movedOn == null ? running : movedOn);
    }

    /**
     * Writes {@code seen} down as stopped, with {@code note}, unless its stored state moved on since
     * it was read: a monitor that recorded the exit and then ended between our read and our look
     * at it must not have its exit status overwritten with "unknown". That state is then
     * returned, brought up to date in turn.
     */
    private ContainerState record(ContainerState seen, String note) {
        ContainerState.Extra extra = seen.isola();
        ContainerState stopped = seen.withStatus(ContainerState.Status.STOPPED);
        if (extra != null) {
            stopped = stopped.withExtra(extra.withExit(
                    extra.exitCode(),
                    extra.exitSignal(),
                    extra.finishedAt() != null
                            ? extra.finishedAt()
                            : Instant.now().toString(),
                    note));
        }
        ContainerState written = stopped;
        ContainerState movedOn = store.locked(() -> {
            ContainerState stored = store.read(seen.id());
            if (stored != null && !stored.status().equals(seen.status())) {
                return stored;
            }
            store.write(written); // nothing if it was removed meanwhile
            return null;
        });
        return movedOn == null ? stopped : refresh(movedOn);
    }

    public List<ContainerState> list() {
        return store.list().stream().map(this::refresh).toList();
    }

    /** The container by id, name or unique id prefix, up to date. */
    public ContainerState get(String reference) {
        return refresh(store.find(reference));
    }

    /** The container with exactly this id as the kernel has it now ({@link #refresh}), or null when there is none. */
    public ContainerState getExact(String id) {
        ContainerState state = store.findExact(id);
        return state == null ? null : refresh(state);
    }

    /** Sends {@code signal} to the container's first process; refuses a container that is not running. */
    public ContainerState kill(String reference, int signal) {
        ContainerState state = get(reference);
        requireLive(state, "kill");
        if (signal == SIGKILL || signal == SIGTERM) {
            markStoppedByUser(state); // as Docker's kill: its restart policy leaves it stopped
        }
        if (!state.process().signal(signal)) {
            throw new IsolaException("container " + state.id() + " is not running");
        }
        PausedThaw.ifPaused(store, state);
        return state;
    }

    /** {@link #stop(String, Integer, Duration)} with the container's own stop signal. */
    public ContainerState stop(String reference, Duration timeout) throws InterruptedException {
        return stop(reference, null, timeout);
    }

    /**
     * The stop signal ({@code signal}, else the container's {@link StopConfig}, else SIGTERM), then
     * SIGKILL if the process still runs after {@code timeout} (null: the container's, else 10 s): a
     * PID 1 ignores every signal it has no handler for, SIGKILL excepted. Returns the state once
     * the exit is recorded.
     */
    public ContainerState stop(String reference, Integer signal, Duration timeout) throws InterruptedException {
        ContainerState state = get(reference);
        if (state.isUnreadable()) {
            // no pid to send SIGTERM to: only its cgroup is known, and that is for rm -f to empty
            throw new IsolaException("cannot stop container " + state.id() + ": its state cannot be read;"
                    + " rm -f stops its processes and removes it");
        }
        // also of one between runs, which its restart policy was about to start; what stop acts on
        // is the state as marked, not as first read: a restart may have begun since
        state = StartingRun.awaitStarted(this, markStoppedByUser(state));
        if (!isLive(state)) {
            return state;
        }
        StopConfig saved = state.isola() == null || state.isola().spec() == null
                ? null
                : state.isola().spec().stop();
        ProcessIdentity process = state.process();
        process.signal(signal != null ? signal : saved != null ? saved.signal() : SIGTERM);
        PausedThaw.ifPaused(store, state);
        if (!process.awaitExit(
                saved != null ? saved.timeout(timeout) : timeout != null ? timeout : StopConfig.DEFAULT_TIMEOUT)) {
            process.signal(SIGKILL);
            if (!process.awaitExit(Duration.ofSeconds(10))) {
                throw new IsolaException("container " + state.id() + " did not die within 10 s of SIGKILL");
            }
        }
        return awaitRecorded(state.id());
    }

    /** Writes down, before the signal, that a user ends this run (a restart policy does not undo a stop); the state as marked. */
    private ContainerState markStoppedByUser(ContainerState state) {
        ContainerState marked = store.locked(() -> {
            ContainerState stored = store.read(state.id());
            if (stored != null && stored.isola() != null && stored.isola().relaunch() != null) {
                stored = stored.withExtra(
                        stored.isola().withRelaunch(stored.isola().relaunch().withStoppedByUser(true)));
                store.write(stored);
            }
            return stored;
        });
        return marked == null ? state : refresh(marked);
    }

    /**
     * SIGKILL to the first process of {@code state}, a live container, thawed if it is paused (a
     * frozen process does not die until then); returns once it has died, throws if it has not
     * within 10 s.
     */
    public void killNow(ContainerState state) throws InterruptedException {
        state.process().signal(SIGKILL);
        PausedThaw.ifPaused(store, state);
        if (!state.process().awaitExit(Duration.ofSeconds(10))) {
            throw new IsolaException("container " + state.id() + " did not die within 10 s of SIGKILL");
        }
    }

    /**
     * Removes a stopped container's state; with {@code force}, kills a live one first. Where no
     * live monitor will clean up after it (it died, or the state cannot be read), the processes
     * left in the container's cgroup are killed and the cgroup is removed here.
     */
    public ContainerState remove(String reference, boolean force) throws InterruptedException {
        ContainerState state = get(reference);
        if (state.isUnreadable()) {
            if (!force) {
                throw new IsolaException("container " + state.id() + ": its state cannot be read, so whether it runs is"
                        + " unknown: remove it with -f");
            }
            ContainerCgroups.of(state).killAndRemove();
            store.delete(state.id());
            return state;
        }
        if (isLive(state)) {
            if (!force) {
                throw new IsolaException(
                        "container " + state.id() + " is " + state.status() + ": stop it first or remove it with -f");
            }
            killNow(state);
        }
        // a monitor still recording the exit would write into the directory being removed
        ProcessIdentity monitor = state.isola() == null ? null : state.isola().monitor();
        if (monitor != null && !monitor.equals(ProcessIdentity.self())) {
            monitor.awaitExit(RECORD_GRACE);
        } else if (monitor != null && isLive(state)) {
            awaitRecorded(state.id()); // a thread of ours (the server's) records the die event before the state
        }
        if (monitor != null && !monitor.isAlive() && !monitor.equals(ProcessIdentity.self())) {
            ContainerCgroups.of(state).killAndRemove(); // the monitor that would have removed it is gone
        }
        store.delete(state.id());
        return state;
    }

    /** Waits until the container has ended and its exit is recorded (or known to be unknown). */
    public ContainerState await(String reference) throws InterruptedException {
        ContainerState state = get(reference);
        while (isLive(state)) {
            state.process().awaitExit(Duration.ofSeconds(1));
            state = get(state.id());
        }
        return awaitRecorded(state.id());
    }

    private ContainerState awaitRecorded(String id) throws InterruptedException {
        long deadline = System.nanoTime() + RECORD_GRACE.toNanos();
        while (true) {
            ContainerState stored = store.read(id);
            if (stored == null) {
                return null; // removed meanwhile (--rm)
            }
            ContainerState state = refresh(stored);
            if (stored.status() != ContainerState.Status.STOPPED && System.nanoTime() < deadline) {
                Thread.sleep(20);
                continue;
            }
            return state;
        }
    }

    /**
     * A running container whose cgroup {@code pause}, {@code resume} or {@code stats} may act on:
     * refuses one that is not running or has no cgroup of its own, naming it.
     */
    public ContainerState cgroupOf(String reference, String verb) {
        ContainerState state = get(reference);
        if (state.status() != ContainerState.Status.RUNNING) {
            throw new IsolaException("cannot " + verb + " container " + state.id() + ": it is " + state.status());
        }
        if (state.isola() == null
                || state.isola().cgroup() == null
                || state.isola().cgroup().location() == null) {
            HostIdentity host = HostIdentity.current();
            throw new IsolaException("cannot " + verb + " container " + state.id() + ": it has no cgroup of its own "
                    + (host.isRoot()
                            ? "(it was run with --no-cgroup or without root)"
                            : "(it was run by uid " + host.uid()
                                    + " with --no-cgroup, or where no cgroup v2 subtree was delegated to the user:"
                                    + " a user's containers get cgroups only there; `isola run --memory 64m -- true`"
                                    + " says what this host lacks); run it again in a delegated subtree, or as root, to "
                                    + verb + " it"));
        }
        return state;
    }

    /** Records the limits {@code update} gave the container, for inspect's HostConfig. */
    public void recordLimits(ContainerState state, Resources resources) {
        store.locked(() -> {
            ContainerState current = store.read(state.id());
            if (current != null && current.isola() != null && current.isola().spec() != null) {
                SavedSpec spec = current.isola().spec();
                SavedHostConfig host = spec.host() == null ? new SavedHostConfig(null, null, null, null) : spec.host();
                store.write(current.withExtra(current.isola().withSpec(spec.withHost(host.updated(resources)))));
            }
            return null;
        });
    }

    /** Records that the container's cgroup is now frozen ({@code paused}) or thawed. */
    public void recordPaused(ContainerState state, boolean paused) {
        store.locked(() -> {
            ContainerState current = store.read(state.id());
            // the monitor may have recorded the exit meanwhile: leave that as it is
            if (current != null
                    && current.status() == ContainerState.Status.RUNNING
                    && current.isola() != null
                    && current.isola().cgroup() != null) {
                store.write(current.withExtra(
                        current.isola().withCgroup(current.isola().cgroup().withPaused(paused))));
            }
            return null;
        });
    }

    /** The spec of a process to run in a running container: its environment, then {@code builder}'s. */
    public ContainerSpec execSpec(String reference, ContainerSpec.Builder builder) {
        ContainerState state = get(reference);
        if (state.status() != ContainerState.Status.RUNNING) {
            throw new IsolaException("container " + state.id() + " is " + state.status() + ", not running");
        }
        if (state.isola() != null && state.isola().paused()) {
            // its processes are frozen, and so would be the new one, in the container's cgroup
            throw new IsolaException("container " + state.id() + " is paused: resume it first");
        }
        // with the start time and pidfs inode: the exec refuses a process that took the pid once this one ended
        ProcessIdentity process = state.process();
        if (process.startTime() <= 0) {
            // a Join without it is unchecked: whatever took the pid would be joined
            throw new IsolaException("container " + state.id() + "'s process is not known by its start time"
                    + " (it had ended when its monitor recorded it): cannot exec in it");
        }
        return builder.with(new Join(state.pid(), process.startTime(), process.pidfsInode()))
                .build();
    }

    public static boolean isLive(ContainerState state) {
        return state.status() == ContainerState.Status.RUNNING || state.status() == ContainerState.Status.CREATED;
    }

    private static void requireLive(ContainerState state, String verb) {
        if (!isLive(state)) {
            throw new IsolaException("cannot " + verb + " container " + state.id() + ": it is " + state.status());
        }
    }
}
