package io.isola.launcher.cli.run;

import io.isola.api.ContainerSpec;
import io.isola.api.IsolaException;
import io.isola.api.Resources;
import io.isola.launcher.cli.KeptConnections;
import io.isola.launcher.server.Invocation;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Lifecycle;
import io.isola.lifecycle.Monitor;
import io.isola.lifecycle.Relaunch;
import io.isola.lifecycle.SavedHostConfig;
import io.isola.lifecycle.StateStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import picocli.CommandLine;

/**
 * Runs a stopped container of {@code run} again, Docker's {@code start}: the same id, name and
 * writable layer, the options of its {@code run} (parsed again), in the background with its
 * output appended to its log. Its restart policy's restarts come this way too.
 */
public final class ContainerStart {

    private ContainerStart() {}

    /**
     * A user's start: returns false when the container runs already (Docker's start leaves it
     * be); throws for a container that {@code run} did not make. {@code config} is the start's
     * command line's {@code --config} (null: none).
     */
    public static boolean start(StateStore store, ContainerState state, Path config) throws InterruptedException {
        if (state.isola() == null || state.isola().relaunch() == null) {
            throw new IsolaException("cannot start container " + state.id() + " again: it was made by an engine"
                    + " (OCI create) or by an isola before 'start' could run stopped containers; run a new one");
        }
        boolean inServer = Invocation.current() != null;
        String policy = state.isola().relaunch().policy();
        if (!inServer && policy != null && !policy.equals(Relaunch.NO)) {
            // start is a verb engines call too, which never waits for a server to start (Verbs.ENGINE)
            throw new IsolaException("container " + state.id() + " has restart policy " + policy
                    + ", which the resident" + " server carries out, and none runs: 'isola restart " + state.id()
                    + "' starts one and the container");
        }
        return launch(store, state.id(), relaunch -> relaunch.withStoppedByUser(false), config, inServer);
    }

    /**
     * In the resident server, its restart policy's restart number {@code count}, with the
     * {@code --config} it last started with: called off when a user stopped it meanwhile.
     */
    public static boolean restartByPolicy(StateStore store, String id, int count, Path config)
            throws InterruptedException {
        return launch(store, id, relaunch -> relaunch.stopped() ? null : relaunch.withCount(count), config, true);
    }

    /**
     * {@code spec} with the limits recorded in {@code state} (run's, as {@code update} changed them)
     * over those of its run arguments: a container started again keeps its updates, as Docker's.
     */
    public static ContainerSpec withRecordedLimits(ContainerSpec spec, ContainerState state) {
        SavedHostConfig host =
                state == null || state.isola() == null || state.isola().spec() == null
                        ? null
                        : state.isola().spec().host();
        if (host == null) {
            return spec;
        }
        Resources own = spec.extension(Resources.class)
                .orElseGet(() -> Resources.builder().build());
        return spec.toBuilder().with(host.over(own)).build();
    }

    private static boolean launch(
            StateStore store, String id, UnaryOperator<Relaunch> update, Path config, boolean inServer)
            throws InterruptedException {
        ContainerState creating = Monitor.rerun(store, id, update);
        if (creating == null) {
            return false;
        }
        List<String> args = creating.isola().relaunch().runArgs();
        RunCommand run = new RunCommand().container(id, store);
        try {
            new CommandLine(run).setStopAtPositional(true).parseArgs(args.toArray(String[]::new));
        } catch (RuntimeException e) {
            Monitor.failed(store, creating, e); // an isola that reads its options otherwise now
            throw e;
        }
        DetachedLaunch.launch(
                store,
                creating,
                defaults -> withRecordedLimits(run.spec(defaults), creating),
                args,
                run.console(),
                config,
                inServer);
        joinKeptNetworks(store, id, config);
        return true;
    }

    /**
     * The networks network connect gave it, as Docker's start joins them again. One that cannot be
     * joined refuses the start, as Docker's: the container is stopped (its interfaces, on the
     * networks it did join and its own, go with its run) and the error names the network.
     * Docker joins before the command runs; here the command has run for as long as the joins took.
     */
    private static void joinKeptNetworks(StateStore store, String id, Path config) throws InterruptedException {
        try {
            KeptConnections.apply(store, id, config);
        } catch (RuntimeException e) {
            try {
                new Lifecycle(store).stop(id, Lifecycle.SIGKILL, Duration.ofSeconds(10));
            } catch (RuntimeException stopFailure) {
                e.addSuppressed(stopFailure);
            }
            throw new IsolaException("cannot start container " + id + ": " + e.getMessage(), e);
        }
    }
}
