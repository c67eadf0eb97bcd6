package io.isola.launcher.cli.run;

import io.isola.api.ContainerSpec;
import io.isola.launcher.Main;
import io.isola.launcher.attach.ConsoleMode;
import io.isola.launcher.cli.MonitorCommand;
import io.isola.launcher.server.Invocation;
import io.isola.launcher.server.ResidentMonitor;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Monitor;
import io.isola.lifecycle.MonitorProcess;
import io.isola.lifecycle.StateStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Starts a registered ("creating") container in the background: the resident server monitors it
 * when this command runs in one, else a monitor process of its own does, which parses the
 * {@code run} arguments again. Either holds its terminal or stdin for {@code attach} (-t, -i). Returns once it runs; if it does not, its state is removed (a new
 * container) or written down as stopped with why (one started again).
 */
final class DetachedLaunch {

    private static final Duration MONITOR_START = Duration.ofSeconds(60);

    private DetachedLaunch() {}

    static void launch(
            StateStore store,
            ContainerState state,
            Function<Set<String>, ContainerSpec> configured,
            List<String> runArgs,
            ConsoleMode console,
            Path config)
            throws InterruptedException {
        launch(store, state, configured, runArgs, console, config, Invocation.current() != null);
    }

    /**
     * {@code config}: the command line's {@code --config} (null: none), which the monitor's
     * runtime reads too; {@code inServer}: this is the resident server (a client's command, or a
     * restart policy's restart).
     */
    static void launch(
            StateStore store,
            ContainerState state,
            Function<Set<String>, ContainerSpec> configured,
            List<String> runArgs,
            ConsoleMode console,
            Path config,
            boolean inServer)
            throws InterruptedException {
        if (inServer) {
            ResidentMonitor.start(
                    store, state, configured, console, config); // the server is the monitor: no JVM of its own
            return;
        }
        String id = state.id();
        List<String> args = new ArrayList<>(List.of("--root", store.root().toString()));
        if (config != null) {
            args.addAll(List.of("--config", config.toString())); // the monitor's runtime reads the same configuration
        }
        args.addAll(List.of(MonitorCommand.NAME, id, "--"));
        args.addAll(runArgs);
        List<String> command = new ArrayList<>(MonitorProcess.javaCommand(Main.class.getName(), args));
        for (String property : new String[] {"isola.home", "isola.bundles", "isola.root"}) {
            String value = System.getProperty(property);
            if (value != null) {
                command.add(1, "-D" + property + "=" + value);
            }
        }
        try {
            MonitorProcess.spawn(command, store.dir(id), MONITOR_START);
        } catch (RuntimeException e) {
            Monitor.failed(store, state, e);
            throw e;
        }
    }
}
