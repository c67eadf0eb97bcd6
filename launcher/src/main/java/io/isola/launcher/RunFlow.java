package io.isola.launcher;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.ExitStatus;
import io.isola.api.Stdio;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Monitor;
import io.isola.lifecycle.MonitorProcess;
import io.isola.lifecycle.StateStore;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code run} does once its options are parsed: registers the container in the state root,
 * then either monitors it in this process (foreground; with -t attached to our terminal) or hands
 * it to a monitor process of its own (-d) and prints its id.
 */
final class RunFlow {

    private static final Duration MONITOR_START = Duration.ofSeconds(60);

    private RunFlow() {}

    static int run(ContainerSpec spec, RunLifecycleOptions options, StateStore store, PrintWriter out)
            throws Exception {
        options.validate();
        String id = spec.id().orElseGet(Monitor::newId);
        boolean detached = options.detach;
        ContainerState state = Monitor.register(store, id, options.name, spec, detached, detached ? options.remove : true);
        if (detached) {
            List<String> args = new ArrayList<>(List.of("--root", store.root().toString(), MonitorCommand.NAME, id));
            List<String> command = new ArrayList<>(MonitorProcess.javaCommand(Main.class.getName(), args));
            for (String property : new String[] {"isola.home", "isola.bundles"}) {
                String value = System.getProperty(property);
                if (value != null) {
                    command.add(1, "-D" + property + "=" + value);
                }
            }
            try {
                MonitorProcess.spawn(command, store.dir(id), MONITOR_START);
            } catch (RuntimeException e) {
                store.delete(id);
                throw e;
            }
            out.println(id);
            out.flush();
            return 0;
        }
        ContainerSpec.Builder foreground = spec.toBuilder().id(id);
        if (options.tty) {
            foreground.with(Attachment.initialSize());
        } else if (!options.interactive) {
            foreground.stdin(Stdio.NULL);
        }
        try (IsolaRuntime runtime = IsolaRuntime.withIsolators(spec.isolators().orElse(RunCommand.DEFAULT_ISOLATORS))) {
            Monitor monitor = new Monitor(runtime.isola(), store);
            Monitor.Running running = monitor.start(state, foreground.build());
            try (Container container = running.container();
                    SignalForwarder signals = SignalForwarder.forward(container);
                    Attachment attachment = options.tty ? Attachment.attach(container, options.interactive) : null) {
                ExitStatus status = monitor.await(running);
                if (attachment != null) {
                    attachment.drain();
                }
                return status.shellCode();
            }
        }
    }

    /** {@code command} behind the host's init, which runs as PID 1 and runs {@code command} as its child. */
    static List<String> withInit(List<String> command) {
        List<String> wrapped = new ArrayList<>();
        wrapped.add(RunLifecycleOptions.initBinary().toString());
        wrapped.add("--");
        wrapped.addAll(command);
        return wrapped;
    }
}
