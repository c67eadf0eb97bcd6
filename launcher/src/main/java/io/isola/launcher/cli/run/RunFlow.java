package io.isola.launcher.cli.run;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.ExitStatus;
import io.isola.api.Filesystem;
import io.isola.api.Stdio;
import io.isola.api.Volume;
import io.isola.internal.launch.StartupTrace;
import io.isola.launcher.IsolaRuntime;
import io.isola.launcher.health.HealthChecker;
import io.isola.launcher.server.Invocation;
import io.isola.launcher.volume.VolumeStore;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Healthcheck;
import io.isola.lifecycle.Monitor;
import io.isola.lifecycle.Relaunch;
import io.isola.lifecycle.StateStore;
import io.isola.lifecycle.StopConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToIntBiFunction;

/**
 * What {@code run} does once its options are parsed: registers the container in the state root,
 * then either monitors it in this process (foreground; with -t attached to our terminal) or hands
 * it to a monitor process of its own (-d) and prints its id.
 */
final class RunFlow {

    private RunFlow() {}

    /**
     * {@code checked} is the spec with the built-in default isolators (recorded in the state, and
     * checked before anything boots); {@code configured} rebuilds it once the framework runs, from
     * the isolators the configuration turns on. {@code stop} says how stop ends it (null: SIGTERM, 10 s);
     * {@code health} is its health check (null: none), which the container's supervisor carries out.
     * {@code config} is the command line's {@code --config} (null: none); {@code exitCode} the CLI's
     * status for the container's exit (the resource options report an OOM kill).
     */
    static int run(
            ContainerSpec checked,
            Function<Set<String>, ContainerSpec> configured,
            RunLifecycleOptions options,
            StateStore store,
            Path config,
            PrintWriter out,
            List<String> runArgs,
            StopConfig stop,
            Healthcheck health,
            ToIntBiFunction<Container, ExitStatus> exitCode)
            throws Exception {
        ContainerSpec spec = checked;
        options.validate();
        Invocation invocation = Invocation.current();
        String id = spec.id().orElseGet(Monitor::newId);
        boolean detached = options.detach;
        // a foreground run is removed at exit, unless it has an image's writable layer to keep (docker's rule)
        boolean kept = detached
                || spec.extension(Filesystem.class)
                        .map(f -> !f.layers().isEmpty())
                        .orElse(false);
        RestartPolicy policy = options.restartPolicy();
        // a created container's policy is the server's once start runs it there (ContainerStart says so otherwise)
        if (policy.kind() != RestartPolicy.Kind.NO && invocation == null && !options.createOnly) {
            throw new IllegalArgumentException("--restart " + policy
                    + ": needs the resident server, which carries it out;" + " unset ISOLA_SERVER=off");
        }
        CidFile cidFile = options.cidFile();
        if (cidFile != null) {
            cidFile.requireAbsent();
            cidFile.write(id); // before the container, as Docker's: a run that loses the file to another leaves nothing
        }
        ContainerState state;
        try {
            state = Monitor.register(
                    store,
                    id,
                    options.name,
                    spec,
                    detached,
                    kept ? options.remove : true,
                    new Relaunch(runArgs, policy.toString(), 0, null),
                    options.labels(),
                    stop,
                    health);
        } catch (RuntimeException e) {
            removeCidFile(cidFile);
            throw e;
        }
        if (options.createOnly) {
            Monitor.created(store, state);
            out.println(id);
            out.flush();
            return 0;
        }
        if (detached) {
            try {
                DetachedLaunch.launch(store, state, configured, runArgs, options.console(), config);
            } catch (InterruptedException | RuntimeException e) {
                removeCidFile(cidFile);
                throw e;
            }
            out.println(id);
            out.flush();
            return 0;
        }
        IsolaRuntime runtime = null;
        Monitor monitor;
        Monitor.Running running;
        try {
            StartupTrace.mark("registered");
            runtime = IsolaRuntime.withIsolators(config, Set.of());
            StartupTrace.mark("isolators ready");
            ContainerSpec current = configured.apply(runtime.defaultIsolators());
            runtime.require(current.isolators().orElse(RunCommand.DEFAULT_ISOLATORS));
            ContainerSpec.Builder foreground = current.toBuilder().id(id);
            if (options.tty) {
                foreground.with(Attachment.initialSize());
            } else if (!options.interactive) {
                foreground.stdin(Stdio.NULL);
            }
            if (invocation != null && !options.tty) {
                // the client's own streams, which the server took over: output goes straight to them
                foreground.stdout(new Stdio.Fd(invocation.stdio(1))).stderr(new Stdio.Fd(invocation.stdio(2)));
                if (options.interactive) {
                    foreground.stdin(new Stdio.Fd(invocation.stdio(0)));
                }
            }
            monitor = new Monitor(runtime.isola(), store);
            if (invocation != null) {
                invocation.holdSignals(); // the client's Ctrl-C while the container starts is the container's
            }
            running = monitor.start(state, foreground.build());
            StartupTrace.mark("started");
            // checked by this JVM while it runs, as a detached one's supervisor checks it (its state shows in
            // ps and inspect from any shell)
            HealthChecker.watch(store, id);
        } catch (RuntimeException | Error e) {
            // registered but never started (a bad configuration, a missing isolator): no ghost in ps, no volume of its
            // own
            store.delete(id);
            VolumeStore.fromEnvironment().removeMadeFor(state, store);
            removeCidFile(cidFile);
            if (runtime != null) {
                runtime.close();
            }
            throw e;
        }
        try (IsolaRuntime open = runtime;
                Container container = running.container();
                SignalForwarder signals = SignalForwarder.forward(container);
                Attachment attachment = options.tty ? Attachment.attach(container, options.interactive) : null) {
            ExitStatus status = monitor.await(running);
            StartupTrace.mark("exited");
            if (attachment != null) {
                attachment.drain();
            }
            return exitCode.applyAsInt(container, status);
        } finally {
            removeAnonymousVolumes(state, store);
        }
    }

    /** The --cidfile of a container that never came to be, or was forgotten again (a failed first start). */
    private static void removeCidFile(CidFile file) {
        if (file != null) {
            file.remove();
        }
    }

    /** A container removed when it ended (--rm) takes its anonymous volumes along, as Docker's; one kept keeps them. */
    static void removeAnonymousVolumes(ContainerState state, StateStore store) {
        if (state != null
                && state.isola() != null
                && Boolean.TRUE.equals(state.isola().autoRemove())
                && state.isola().spec() != null
                && state.isola().spec().volumes() != null
                && store.read(state.id()) == null) {
            VolumeStore.fromEnvironment().removeAnonymous(state, store);
        }
    }

    /** Where --init's binary is bound in a container with a root of its own, as docker-init is. */
    static final String INIT_IN_CONTAINER = "/sbin/isola-init";

    /**
     * {@code spec} behind the host's init (tini or catatonit), which runs as PID 1 and runs the
     * command as its child. In the host's files (the default sandbox) the init is where the host
     * has it; in a root of its own it is bound there read-only, as Docker binds docker-init.
     */
    static ContainerSpec withInit(ContainerSpec spec) {
        String host = RunLifecycleOptions.initBinary().toString();
        Filesystem filesystem = spec.extension(Filesystem.class).orElse(null);
        boolean ownRoot = filesystem != null
                && (filesystem.rootfs().isPresent() || !filesystem.layers().isEmpty());
        ContainerSpec.Builder builder = spec.toBuilder();
        if (ownRoot) {
            builder.with(filesystem.toBuilder()
                    .volume(new Volume(host, INIT_IN_CONTAINER, true))
                    .build());
        }
        List<String> wrapped = new ArrayList<>();
        wrapped.add(ownRoot ? INIT_IN_CONTAINER : host);
        wrapped.add("--");
        wrapped.addAll(spec.command());
        return builder.command(wrapped).build();
    }

    /** The arguments after the {@code run} verb in a full command line (root options skipped). */
    static List<String> runArgs(List<String> all) {
        for (int i = 0; i < all.size(); i++) {
            String arg = all.get(i);
            if (arg.equals("--root") || arg.equals("--log") || arg.equals("--log-format")) {
                i++;
            } else if (arg.equals("run")) {
                List<String> args = new ArrayList<>(all.subList(i + 1, all.size()));
                // a created container's start runs it: the marker of Docker's create is not one of its options
                if (!args.isEmpty() && args.get(0).equals(RunCommand.CREATE_ONLY)) {
                    args.remove(0);
                }
                return args;
            }
        }
        return List.of();
    }
}
