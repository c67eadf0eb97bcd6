package io.isola.oci;

import io.isola.api.CgroupLocation;
import io.isola.api.CgroupPath;
import io.isola.api.ConsoleSocket;
import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.DeferredStart;
import io.isola.api.InheritedFds;
import io.isola.api.Isola;
import io.isola.api.IsolaException;
import io.isola.api.ResourceControl;
import io.isola.api.Stdio;
import io.isola.internal.launch.CommandLookup;
import io.isola.internal.nativ.Pidfd;
import io.isola.lifecycle.CgroupState;
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
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The OCI lifecycle: {@code create} sets the container up and leaves its process waiting at the
 * gate FIFO, {@code start} opens the gate, {@code state}, {@code kill} and {@code delete} work from
 * the state on disk. There is no monitor: the engine that calls the runtime (conmon, the
 * containerd shim) is the subreaper that reaps the container and keeps its exit status.
 *
 * <p>Hooks: createRuntime and prestart run on the host once the process waits at its gate;
 * createContainer then runs inside the container's namespaces ({@link ContainerHooks}); start
 * runs startContainer inside them too, then opens the gate, then poststart on the host; delete
 * runs poststop. isola's process is set up in one pass up to its gate, so there is no moment
 * between its mounts and its pivot_root at which the host could run createContainer, as runc
 * does: its path resolves in the container's root, not the runtime's.
 */
public final class OciRuntime {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final StateStore store;
    private final Lifecycle lifecycle;

    private final ConfigTranslator.Options options;
    private Consumer<String> warnings = message -> {};

    public OciRuntime(StateStore store) {
        this(store, ConfigTranslator.Options.DEFAULTS);
    }

    /** With how the engine asks config.json to be read ({@code --systemd-cgroup}). */
    public OciRuntime(StateStore store, ConfigTranslator.Options options) {
        this.store = store;
        this.lifecycle = new Lifecycle(store);
        this.options = options;
    }

    /**
     * What create needs beyond the bundle: a pid file, the engine's console socket (for
     * {@code process.terminal}), how many of our fds from 3 up to pass on.
     */
    public record CreateOptions(Path pidFile, Path consoleSocket, int preserveFds) {

        public CreateOptions(Path pidFile) {
            this(pidFile, null, 0);
        }
    }

    /** Reads the bundle; throws naming any field isola does not support, before anything is created. */
    public OciPlan plan(Path bundle) {
        return ConfigTranslator.load(bundle.toAbsolutePath().normalize(), options);
    }

    /**
     * Reads the bundle and adds the create options to its spec: the console socket (runc's rule:
     * a terminal needs one, and one needs a terminal) and the preserved fds. Throws before
     * anything is created.
     */
    public OciPlan plan(Path bundle, CreateOptions options) {
        OciPlan plan = plan(bundle);
        ContainerSpec asked = plan.spec().build();
        boolean terminal = asked.extension(ProcessTerminal.class).isPresent();
        if (terminal && options.consoleSocket() == null) {
            throw new IllegalArgumentException("config.json: process.terminal is true: create needs --console-socket to"
                    + " hand the terminal to");
        }
        if (!terminal && options.consoleSocket() != null) {
            throw new IllegalArgumentException("--console-socket \"" + options.consoleSocket()
                    + "\": the container has no terminal (set process.terminal to true in config.json)");
        }
        if (options.consoleSocket() != null) {
            plan.spec().with(new ConsoleSocket(options.consoleSocket().toAbsolutePath()));
        }
        if (options.preserveFds() != 0) {
            InheritedFds fds = new InheritedFds(options.preserveFds());
            fds.requireOpen();
            plan.spec().with(fds);
        }
        return plan;
    }

    public ContainerState create(Isola isola, String id, Path bundle, OciPlan plan, CreateOptions options) {
        ContainerSpec spec = plan.spec()
                .id(id)
                .stdin(Stdio.INHERIT)
                .stdout(Stdio.INHERIT)
                .stderr(Stdio.INHERIT)
                .with(new DeferredStart(store.dir(id)))
                .build();
        ContainerState.Extra extra = ContainerState.Extra.builder()
                .monitor(ProcessIdentity.self())
                .spec(SavedSpec.of(spec))
                .build();
        ContainerState state = new ContainerState(
                ContainerState.OCI_VERSION,
                id,
                ContainerState.Status.CREATING,
                0,
                bundle.toAbsolutePath().normalize().toString(),
                plan.annotations(),
                Instant.now().toString(),
                extra);
        store.create(state);
        try {
            String cgroupPath =
                    spec.extension(CgroupPath.class).map(CgroupPath::path).orElse(null);
            new CreatedConfig(plan.hooks(), cgroupPath, plan.inherited()).save(store.dir(id));
            Container container = isola.start(spec);
            // where its cgroup is, so that pause, resume and stats reach it by id
            CgroupLocation cgroup = container
                    .facet(ResourceControl.class)
                    .flatMap(ResourceControl::location)
                    .orElse(null);
            container.close(); // detached: the process waits at its gate
            CreatedCgroups.record(
                    store.dir(id), container.pid(), cgroup); // for delete: the isolator that made it exits with us
            ProcessIdentity process = ProcessIdentity.of(container.pid());
            ContainerState.Extra started = extra.withProcess(process, null, null);
            if (cgroup != null) {
                started = started.withCgroup(new CgroupState(cgroup, null, null));
            }
            ContainerState created = state.withStatus(ContainerState.Status.CREATED)
                    .withPid(container.pid())
                    .withExtra(started);
            store.write(created);
            Hooks.run("createRuntime", plan.hooks("createRuntime"), stateJson(created));
            Hooks.run("prestart", plan.hooks("prestart"), stateJson(created));
            ContainerHooks.run(isola, "createContainer", plan.hooks("createContainer"), stateJson(created), process);
            // as runc: a command that is not there fails the create, not the start (podman then says 127);
            // after the hooks, which may be what puts it there
            CommandLookup.require(container.pid(), spec);
            if (options.pidFile() != null) {
                writePidFile(options.pidFile(), container.pid());
            }
            return created;
        } catch (RuntimeException e) {
            ContainerState left = store.read(id);
            if (left != null && left.pid() > 0) {
                killCreated(left);
            }
            store.delete(id);
            throw e;
        }
    }

    /** Starts a created container without startContainer hooks (they need a runtime to join it). */
    /**
     * Undoes a create that failed after its process existed (a hook failed, the command is not
     * there): the process is killed, and once it has ended its cgroups go. It is this JVM's child,
     * reaped when this JVM exits, or a thin create's client's, which reaps it.
     */
    private void killCreated(ContainerState left) {
        try (Pidfd child = Pidfd.open(left.pid())) {
            child.signal(Lifecycle.SIGKILL);
            child.awaitEnd(Duration.ofSeconds(10)); // waitid would give ECHILD for the client's child
            CreatedCgroups.remove(store.dir(left.id()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            left.process().signal(Lifecycle.SIGKILL); // not ours to reap after all: at least it dies
        }
    }

    public ContainerState start(String id) {
        return start(null, id);
    }

    /**
     * Asked before {@code start} or {@code delete} runs hooks of the container's bundle
     * (processes the runtime starts), before anything is done: it may refuse by throwing. A
     * resident server refuses, so that hooks stay the children of the engine's own call.
     */
    @FunctionalInterface
    public interface HookGate {
        HookGate OPEN = verb -> {};

        void beforeHooks(String verb);
    }

    public ContainerState start(Isola isola, String id) {
        return start(isola, id, HookGate.OPEN);
    }

    /**
     * Runs the startContainer hooks inside the created container (with {@code isola}), then opens
     * its gate; a failing hook leaves the container created, as it was.
     */
    /**
     * Where warnings go besides the log (the engine's {@code --log}): a failing poststart or
     * poststop hook, which the spec makes a warning.
     */
    public OciRuntime onWarning(Consumer<String> warnings) {
        this.warnings = Objects.requireNonNull(warnings, "warnings");
        return this;
    }

    public ContainerState start(Isola isola, String id, HookGate gate) {
        return start(() -> isola, lifecycle.get(id), gate);
    }

    /**
     * {@link #start(Isola, String, HookGate)} of a container whose state the caller has just read
     * ({@link Lifecycle#get}): not read again. {@code isola} is asked for only when there are
     * startContainer hooks to run inside the container.
     */
    public ContainerState start(Supplier<Isola> isola, ContainerState state, HookGate gate) {
        String id = state.id();
        if (state.status() != ContainerState.Status.CREATED) {
            throw new IsolaException("cannot start container " + id + ": it is " + state.status() + ", not created");
        }
        CreatedConfig config = CreatedConfig.of(store.dir(id), state.bundle(), options.systemdCgroup());
        List<Hook> startContainer = config.hooks("startContainer");
        List<Hook> poststart = config.hooks("poststart");
        if (!startContainer.isEmpty() || !poststart.isEmpty()) {
            gate.beforeHooks("start");
        }
        if (!startContainer.isEmpty()) {
            Isola runtime = isola.get();
            if (runtime == null) {
                throw new IsolaException("cannot start container " + id + ": its startContainer hooks need a runtime");
            }
            ContainerHooks.run(runtime, "startContainer", startContainer, stateJson(state), state.process());
        }
        Isola.startCreated(store.dir(state.id()), START_TIMEOUT);
        ContainerState running = state.withStatus(ContainerState.Status.RUNNING)
                .withExtra(state.isola()
                        .withProcess(state.process(), null, Instant.now().toString()));
        store.write(running);
        if (!poststart.isEmpty()) { // the state's JSON costs a served start a tenth of its time: only for hooks
            Hooks.runWarning("poststart", poststart, stateJson(running), warnings);
        }
        return running;
    }

    /** The OCI state of the container with exactly this id, as runc's: never a name's or a prefix's. */
    public Map<String, Object> state(String id) {
        ContainerState state = lifecycle.getExact(id);
        if (state == null) {
            throw new StateStore.NoSuchContainerException(id);
        }
        return state.oci();
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

    public ContainerState delete(String id, boolean force) throws InterruptedException {
        return delete(id, force, HookGate.OPEN);
    }

    /**
     * Removes a stopped or created container (a created one is killed first); force kills a
     * running one. Returns its state as it was, for what the caller releases after it; null when
     * {@code force} found no container of that id, which is then deleted already: runc and crun
     * exit 0 there, and containerd's shim deletes its container so at every cleanup, after the
     * plain delete removed it. The id is a whole id, never a prefix of another container's.
     */
    public ContainerState delete(String id, boolean force, HookGate gate) throws InterruptedException {
        ContainerState state = lifecycle.getExact(id);
        if (state == null) {
            if (force) {
                return null;
            }
            throw new StateStore.NoSuchContainerException(id);
        }
        if (state.status() == ContainerState.Status.RUNNING && !force) {
            throw new IsolaException("cannot delete container " + id + ": it is running; stop it or use --force");
        }
        CreatedConfig config;
        try {
            config = CreatedConfig.of(store.dir(state.id()), state.bundle(), options.systemdCgroup());
        } catch (IsolaException unreadable) {
            if (!force) {
                throw unreadable;
            }
            // what it says cannot be known: the container goes, without hooks; its cgroup as the state has it
            warnings.accept(unreadable.getMessage());
            config = new CreatedConfig(Map.of(), null, null);
        }
        List<Hook> poststop = config.hooks("poststop");
        if (!poststop.isEmpty()) {
            gate.beforeHooks("delete");
        }
        if (Lifecycle.isLive(state)) {
            lifecycle.killNow(state);
        }
        CreatedCgroups.remove(store.dir(state.id()));
        String cgroup = config.cgroupPath();
        if (cgroup == null
                && state.isola() != null
                && state.isola().cgroup() != null
                && state.isola().cgroup().location() != null) {
            cgroup = state.isola().cgroup().location().path(); // the cgroup isolator's own <parent>/<id>
        }
        if (cgroup != null) {
            CgroupRemoval.remove(cgroup);
        }
        store.delete(state.id());
        if (!poststop.isEmpty()) {
            Hooks.runWarning(
                    "poststop", poststop, stateJson(state.withStatus(ContainerState.Status.STOPPED)), warnings);
        }
        return state;
    }

    private static String stateJson(ContainerState state) {
        return Inspection.compactJson(state.oci());
    }

    private static void writePidFile(Path file, long pid) {
        try {
            // the pid file's directory may be shared: a link planted at the temporary name must not
            // redirect the write (CREATE_NEW does not follow it), as runc's O_EXCL does
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.writeString(tmp, Long.toString(pid), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the pid file " + file, e);
        }
    }
}
