package io.isola.oci;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.DeferredStart;
import io.isola.api.Isola;
import io.isola.api.IsolaException;
import io.isola.api.Stdio;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Inspection;
import io.isola.lifecycle.Lifecycle;
import io.isola.lifecycle.ProcessIdentity;
import io.isola.lifecycle.SavedSpec;
import io.isola.lifecycle.StateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The OCI lifecycle: {@code create} sets the container up and leaves its process waiting at the
 * gate FIFO, {@code start} opens the gate, {@code state}, {@code kill} and {@code delete} work from
 * the state on disk. There is no monitor: the engine that calls the runtime (conmon, the
 * containerd shim) is the subreaper that reaps the container and keeps its exit status.
 */
public final class OciRuntime {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final StateStore store;
    private final Lifecycle lifecycle;

    public OciRuntime(StateStore store) {
        this.store = store;
        this.lifecycle = new Lifecycle(store);
    }

    /** What create needs beyond the bundle: the stdio the engine gave us, a pid file. */
    public record CreateOptions(Path pidFile) {}

    /** Reads the bundle; throws naming any field isola does not support, before anything is created. */
    public OciPlan plan(Path bundle) {
        return ConfigTranslator.load(bundle.toAbsolutePath());
    }

    public ContainerState create(Isola isola, String id, Path bundle, OciPlan plan, CreateOptions options) {
        ContainerSpec spec = plan.spec().id(id).stdin(Stdio.INHERIT).stdout(Stdio.INHERIT).stderr(Stdio.INHERIT)
                .with(new DeferredStart(store.dir(id))).build();
        ContainerState.Extra extra = new ContainerState.Extra(null, 0, ProcessIdentity.self(), null, null, null, null, null,
                null, null, SavedSpec.of(spec), null);
        ContainerState state = new ContainerState(ContainerState.OCI_VERSION, id, ContainerState.CREATING, 0,
                bundle.toAbsolutePath().toString(), plan.annotations(), Instant.now().toString(), extra);
        store.create(state);
        try {
            Container container = isola.start(spec);
            // where its cgroup is, so that pause, resume and stats reach it by id
            io.isola.api.CgroupLocation cgroup = container.facet(io.isola.api.ResourceControl.class)
                    .flatMap(io.isola.api.ResourceControl::location).orElse(null);
            container.close(); // detached: the process waits at its gate
            ProcessIdentity process = ProcessIdentity.of(container.pid());
            ContainerState.Extra started = extra.withProcess(process.startTime(), null, null);
            if (cgroup != null) {
                started = started.withCgroup(new io.isola.lifecycle.CgroupState(cgroup, null, null));
            }
            ContainerState created = state.withStatus(ContainerState.CREATED).withPid(container.pid()).withExtra(started);
            store.write(created);
            Hooks.run("createRuntime", plan.hooks("createRuntime"), stateJson(created));
            Hooks.run("prestart", plan.hooks("prestart"), stateJson(created));
            if (options.pidFile() != null) {
                writePidFile(options.pidFile(), container.pid());
            }
            return created;
        } catch (RuntimeException e) {
            ContainerState left = store.read(id);
            if (left != null && left.pid() > 0) {
                left.process().signal(Lifecycle.SIGKILL);
            }
            store.delete(id);
            throw e;
        }
    }

    public ContainerState start(String id) {
        ContainerState state = lifecycle.get(id);
        if (!ContainerState.CREATED.equals(state.status())) {
            throw new IsolaException("cannot start container " + id + ": it is " + state.status() + ", not created");
        }
        Isola.startCreated(store.dir(state.id()), START_TIMEOUT);
        ContainerState running = state.withStatus(ContainerState.RUNNING)
                .withExtra(state.isola().withProcess(state.isola().startTime(), null, Instant.now().toString()));
        store.write(running);
        OciPlan plan = planOf(running);
        if (plan != null) {
            Hooks.run("poststart", plan.hooks("poststart"), stateJson(running));
        }
        return running;
    }

    public Map<String, Object> state(String id) {
        return lifecycle.get(id).oci();
    }

    public void kill(String id, int signal, boolean all, List<ProcessIdentity> processes) {
        ContainerState state = lifecycle.get(id);
        if (!Lifecycle.isLive(state)) {
            throw new IsolaException("container " + id + " is not running");
        }
        if (all) {
            processes.forEach(p -> p.signal(signal));
        } else if (!state.process().signal(signal)) {
            throw new IsolaException("container " + id + " is not running");
        }
    }

    /** Removes a stopped or created container (a created one is killed first); force kills a running one. */
    public void delete(String id, boolean force) throws InterruptedException {
        ContainerState state = lifecycle.get(id);
        if (ContainerState.RUNNING.equals(state.status()) && !force) {
            throw new IsolaException("cannot delete container " + id + ": it is running; stop it or use --force");
        }
        if (Lifecycle.isLive(state)) {
            state.process().signal(Lifecycle.SIGKILL);
            state.process().awaitExit(Duration.ofSeconds(10));
        }
        OciPlan plan = planOf(state);
        store.delete(state.id());
        if (plan != null) {
            Hooks.run("poststop", plan.hooks("poststop"), stateJson(state.withStatus(ContainerState.STOPPED)));
        }
    }

    private OciPlan planOf(ContainerState state) {
        if (state.bundle() == null) {
            return null;
        }
        try {
            return ConfigTranslator.load(Path.of(state.bundle()));
        } catch (IllegalArgumentException e) {
            return null; // the bundle changed or went away: its hooks cannot be found
        }
    }

    private static String stateJson(ContainerState state) {
        return Inspection.compactJson(state.oci());
    }

    private static void writePidFile(Path file, long pid) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, Long.toString(pid));
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the pid file " + file, e);
        }
    }
}
