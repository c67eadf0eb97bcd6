package io.isola.launcher;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.ExitStatus;
import io.isola.api.Isola;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code isola run}: one container in the foreground, its exit status as the CLI's. */
@Command(name = "run",
        sortOptions = false,
        description = {"Runs CMD in new namespaces and exits with its status (128+N if killed by signal N).",
            "The container sees the host's files read-only (or --rootfs DIR) with its own /proc, /dev, /sys, /tmp;",
            "its environment holds PATH and the -e variables."})
final class RunCommand implements Callable<Integer> {

    /** The isolators a container gets unless a --no-NAME option drops one. */
    static final Set<String> DEFAULT_ISOLATORS = Set.of("uts", "ipc", "pid", "mount", ResourceOptions.ISOLATOR);

    /** How long to wait for isolator services; Declarative Services may register them late. */
    private static final Duration ISOLATOR_WAIT = Duration.ofSeconds(5);

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    @Option(names = "--hostname", paramLabel = "NAME", description = "Host name inside the container.")
    private String hostname;

    @Option(names = "--domainname", paramLabel = "NAME", description = "NIS domain name inside the container.")
    private String domainname;

    @Option(names = "--uts", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "New UTS namespace (host and domain name); on by default.")
    private boolean uts;

    @Option(names = "--ipc", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "New IPC namespace (System V IPC, POSIX queues); on by default.")
    private boolean ipc;

    @Option(names = "--pid", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "New PID namespace, CMD is PID 1; on by default.")
    private boolean pid;

    @Option(names = "--mount", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "New mount namespace; on by default.")
    private boolean mount;

    @Mixin
    private NetworkOptions network = new NetworkOptions();

    @Option(names = {"-e", "--env"}, paramLabel = "NAME[=VALUE]",
            description = "Set a variable; NAME alone passes the host's value, if any.")
    private List<String> env = new ArrayList<>();

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", defaultValue = "/",
            description = "Working directory inside the container (default: /).")
    private String workdir;

    @Option(names = "--id", paramLabel = "ID", description = "Container id (default: generated).")
    private String id;

    @Mixin
    private UserOptions userOptions = new UserOptions();

    @Mixin
    private FilesystemOptions filesystem = new FilesystemOptions();

    @Mixin
    private ResourceOptions resources;

    @Mixin
    private SecurityOptions security = new SecurityOptions();

    @Parameters(arity = "1..*", paramLabel = "CMD", description = "The command and its arguments.")
    private List<String> command;

    @Mixin
    private RunLifecycleOptions lifecycle = new RunLifecycleOptions();

    @ParentCommand
    private IsolaCommand parent;

    @Spec
    private CommandSpec commandSpec;

    @Override
    public Integer call() throws InterruptedException {
        // validated before Felix boots: bad input costs nothing and never reaches the kernel
        ContainerSpec spec = spec();
        NativePreload.start();
        if (commandSpec != null) {
            // state, -d, -it, --rm, --name: the lifecycle flow (issue 8)
            try {
                return RunFlow.run(spec, lifecycle, (parent == null ? new GlobalOptions() : parent.global()).store(),
                        commandSpec.commandLine().getOut(),
                        RunFlow.runArgs(commandSpec.commandLine().getParseResult().originalArgs()),
                        (container, status) -> resources.exitCode(spec, container, status));
            } catch (InterruptedException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new io.isola.api.IsolaException(e.getMessage(), e);
            }
        }
        try (FelixRuntime felix = FelixRuntime.start(Layout.bundles());
                Isola isola = Isola.builder()
                        .isolatorSource(felix.isolators())
                        .defaultIsolators(DEFAULT_ISOLATORS)
                        .build()) {
            felix.requireIsolators(spec.isolators().orElse(DEFAULT_ISOLATORS), ISOLATOR_WAIT);
            try (Container container = isola.start(spec);
                    SignalForwarder signals = SignalForwarder.forward(container)) {
                ExitStatus status = container.waitFor();
                // not a static logger: picocli makes this class while parsing, before --debug
                // may have set the level that slf4j-simple reads when its first logger is made
                Logger log = LoggerFactory.getLogger(RunCommand.class);
                log.debug("container {} {}", container.id(), status);
                return resources.exitCode(spec, container, status);
            }
        }
    }

    /** The container this command line asks for. */
    ContainerSpec spec() {
        Set<String> isolators = isolators();
        network.select(isolators);
        if (!isolators.contains("uts")) {
            requireUnset("--hostname", hostname);
            requireUnset("--domainname", domainname);
        }
        ContainerSpec.Builder builder = ContainerSpec.builder(command)
                .cwd(workdir)
                .hostname(hostname)
                .domainname(domainname)
                .isolators(userOptions.isolators(isolators))
                .id(id)
                .with(security.security());
        userOptions.applyTo(builder);
        filesystem.applyTo(builder, isolators.contains("mount")); // before -e, which overrides an image's variables
        lifecycle.envFileEntries().forEach(entry -> addEnv(builder, entry));
        env.forEach(entry -> addEnv(builder, entry));
        resources.applyTo(builder);
        network.configure(builder);
        return lifecycle.init ? RunFlow.withInit(builder.build()) : builder.build();
    }

    private Set<String> isolators() {
        Set<String> names = new LinkedHashSet<>();
        if (uts) {
            names.add("uts");
        }
        if (ipc) {
            names.add("ipc");
        }
        if (pid) {
            names.add("pid");
        }
        if (mount) {
            names.add("mount");
        }
        resources.selectIsolator(names);
        return names;
    }

    private static void requireUnset(String option, String value) {
        if (value != null) {
            // without a UTS namespace the name would be set on the host
            throw new IllegalArgumentException(option + " \"" + value + "\": needs a UTS namespace; drop --no-uts");
        }
    }

    /** docker's rule: NAME=VALUE sets, NAME alone copies the host's value and is skipped when unset. */
    private static void addEnv(ContainerSpec.Builder builder, String entry) {
        int eq = entry.indexOf('=');
        if (eq == 0 || entry.isEmpty()) {
            throw new IllegalArgumentException("environment \"" + entry + "\": expected NAME=VALUE or NAME");
        }
        if (eq > 0) {
            builder.env(entry.substring(0, eq), entry.substring(eq + 1));
            return;
        }
        String hostValue = System.getenv(entry);
        if (hostValue != null) {
            builder.env(entry, hostValue);
        }
    }
}
