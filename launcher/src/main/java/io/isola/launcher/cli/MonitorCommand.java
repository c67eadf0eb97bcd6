package io.isola.launcher.cli;

import io.isola.api.ContainerSpec;
import io.isola.launcher.IsolaRuntime;
import io.isola.launcher.attach.ConsoleHolder;
import io.isola.launcher.attach.ConsoleMode;
import io.isola.launcher.cli.run.ContainerStart;
import io.isola.launcher.cli.run.RunCommand;
import io.isola.launcher.health.HealthChecker;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.MonitorProcess;
import io.isola.lifecycle.StateStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** The monitor process of a detached container ({@code run -d} starts it; not for users). */
@Command(name = MonitorCommand.NAME, hidden = true, description = "Monitor a detached container (internal).")
public final class MonitorCommand implements Callable<Integer> {

    public static final String NAME = "__monitor";

    @ParentCommand
    private IsolaCommand parent;

    @Parameters(index = "0", paramLabel = "ID")
    private String id;

    /** The arguments of the user's {@code run}, parsed again here so the spec has every extension. */
    @Parameters(index = "1..*", paramLabel = "RUN-ARGS")
    private List<String> runArgs = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        StateStore store = parent.global().store();
        ContainerState state = store.read(id);
        Set<String> isolators =
                state == null || state.isola() == null || state.isola().spec().isolators() == null
                        ? RunCommand.DEFAULT_ISOLATORS
                        : state.isola().spec().isolators();
        ContainerSpec spec = null;
        if (!runArgs.isEmpty() && runArgs.get(0).equals("--")) {
            runArgs = runArgs.subList(1, runArgs.size()); // positional from ID on, the separator included
        }
        RunCommand run = null;
        if (!runArgs.isEmpty()) {
            run = new RunCommand().container(id, store);
            new picocli.CommandLine(run).setStopAtPositional(true).parseArgs(runArgs.toArray(String[]::new));
        }
        try (IsolaRuntime runtime = IsolaRuntime.withIsolators(parent.config(), run == null ? isolators : Set.of())) {
            if (run != null) {
                // the configured isolators, as a foreground run gets them
                // as update left its limits: a detached start runs here when no server does
                spec = ContainerStart.withRecordedLimits(run.spec(runtime.defaultIsolators()), state);
                runtime.require(spec.isolators().orElse(isolators));
            }
            HealthChecker.watch(store, id); // checks once serve has it running
            ConsoleMode console = run == null ? ConsoleMode.NONE : run.console();
            if (!console.held()) {
                return MonitorProcess.serve(runtime.isola(), store, id, spec, UnaryOperator.identity());
            }
            Path log = store.dir(id).resolve("container.log"); // where Monitor.register said it is
            return MonitorProcess.serve(
                    runtime.isola(),
                    store,
                    id,
                    spec,
                    console::applyTo,
                    container -> ConsoleHolder.hold(store.dir(id), container, console, log));
        } finally {
            RunCommand.removeAnonymousVolumes(state, store);
        }
    }
}
