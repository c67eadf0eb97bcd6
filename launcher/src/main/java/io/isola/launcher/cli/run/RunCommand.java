package io.isola.launcher.cli.run;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.ExecFailedException;
import io.isola.api.ExitStatus;
import io.isola.api.Filesystem;
import io.isola.api.IsolaException;
import io.isola.api.PortMapping;
import io.isola.internal.launch.StartupTrace;
import io.isola.launcher.IsolaRuntime;
import io.isola.launcher.NativePreload;
import io.isola.launcher.attach.ConsoleMode;
import io.isola.launcher.cli.GlobalOptions;
import io.isola.launcher.cli.IsolaCommand;
import io.isola.launcher.image.ImageStore;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Healthcheck;
import io.isola.lifecycle.Monitor;
import io.isola.lifecycle.StateStore;
import io.isola.lifecycle.StopConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code isola run}: one container in the foreground, its exit status as the CLI's. */
@Command(
        name = "run",
        sortOptions = false,
        description = {
            "Runs CMD in new namespaces and exits with its status (128+N if killed by signal N).",
            "The container sees an image's files (IMAGE), a directory (--rootfs DIR) or, by",
            "default, the host's files read-only; always its own /proc, /dev, /sys and /tmp.",
            "Its environment holds PATH, the image's variables and the -e ones.",
            "",
            "IMAGE or CMD: the first argument is an image when the local store holds it or",
            "when it is written NAME:TAG, else it is the command. After '--' (or with --image",
            "or --rootfs) every argument is the command. Without CMD, an image runs its own",
            "Entrypoint and Cmd. A container of an image run without --rm keeps its writable",
            "layer after it exits, also in the foreground (as in Docker), for 'isola export'",
            "and 'isola commit', until 'isola rm'.",
            "",
            "Docker's flags mean what they mean in Docker (--pid host, --network, --mount",
            "type=bind,..., --entrypoint, -h NAME, --restart, -l); those isola lacks (-P, --dns,",
            "--label-file, --shm-size, ...) are refused as not supported by isola. isola's own",
            "namespace switches are --no-pid, --no-ipc, --no-uts, --no-mount, --[no-]cgroup.",
            ""
        })
public final class RunCommand implements Callable<Integer> {

    /**
     * The built-in isolators, for checking a command line before the framework starts; which
     * isolators a container gets is configured (conf/, every registered isolator unless its .cfg
     * says enabled = false; user is off unless its component or .cfg turns it on).
     */
    public static final Set<String> DEFAULT_ISOLATORS =
            Set.of("uts", "ipc", "pid", "mount", "net", ResourceOptions.ISOLATOR);

    // --help alone: -h is Docker's --hostname
    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    @Option(
            names = {"-h", "--hostname"},
            paramLabel = "NAME",
            description = "Host name inside the container.")
    private String hostname;

    @Option(names = "--domainname", paramLabel = "NAME", description = "NIS domain name inside the container.")
    private String domainname;

    @Mixin
    private NamespaceOptions namespaces = new NamespaceOptions();

    @Mixin
    private NetworkOptions network = new NetworkOptions();

    @Option(
            names = {"-e", "--env"},
            paramLabel = "NAME[=VALUE]",
            description = "Set a variable; NAME alone passes the host's value, if any.")
    private List<String> env = new ArrayList<>();

    @Option(
            names = {"-w", "--workdir"},
            paramLabel = "DIR",
            description = "Working directory inside the container (default: the image's, else /).")
    private String workdir;

    @Option(names = "--id", paramLabel = "ID", description = "Container id (default: generated).")
    private String id;

    @Mixin
    private UserOptions userOptions = new UserOptions();

    @Mixin
    private FilesystemOptions filesystem = new FilesystemOptions();

    @Mixin
    private EntrypointOption entrypoint = new EntrypointOption();

    @Mixin
    private ResourceOptions resources;

    @Mixin
    private SecurityOptions security = new SecurityOptions();

    @Mixin
    private DeviceOptions devices = new DeviceOptions();

    @Mixin
    private KernelOptions kernel = new KernelOptions();

    /** The hidden option that Docker's {@code create} becomes ({@link io.isola.launcher.cli.DockerCreate}). */
    public static final String CREATE_ONLY = "--create-only";

    @Parameters(
            arity = "0..*",
            paramLabel = "[IMAGE] CMD",
            description = "An image, then the command and its arguments.")
    private List<String> command;

    @Mixin
    private RunLifecycleOptions lifecycle = new RunLifecycleOptions();

    @Mixin
    private StopOptions stop = new StopOptions();

    @Mixin
    private HealthOptions health = new HealthOptions();

    /** The container's health check, from --health-* or the image; set by {@link #spec}. */
    private Healthcheck healthcheck;

    /** How stop ends this container, from --stop-* or the image; set by {@link #spec}. */
    private StopConfig stopConfig;

    @ParentCommand
    private IsolaCommand parent;

    @Spec
    private CommandSpec commandSpec;

    @Override
    public Integer call() throws InterruptedException {
        StartupTrace.mark("parsed");
        // validated before Felix boots: bad input costs nothing and never reaches the kernel
        ContainerSpec checked = spec();
        try {
            return run(checked);
        } catch (ExecFailedException e) {
            String word = e.shellCode() == 127 ? filesystem.commandThatCouldBeAnImage(command, afterSeparator()) : null;
            throw word == null ? e : new CommandNorImageFound(e, word);
        }
    }

    private Integer run(ContainerSpec checked) throws InterruptedException {
        NativePreload.start();
        if (commandSpec != null) {
            // state, -d, -it, --rm, --name: the lifecycle flow (issue 8); the configured defaults
            // replace the built-in ones once the framework runs
            try {
                return RunFlow.run(
                        checked,
                        this::spec,
                        lifecycle,
                        (parent == null ? new GlobalOptions() : parent.global()).store(),
                        config(),
                        commandSpec.commandLine().getOut(),
                        RunFlow.runArgs(
                                commandSpec.commandLine().getParseResult().originalArgs()),
                        stopConfig,
                        healthcheck,
                        (container, status) -> resources.exitCode(checked, container, status));
            } catch (InterruptedException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IsolaException(e.getMessage(), e);
            }
        }
        try (IsolaRuntime isola = IsolaRuntime.withIsolators(config(), Set.of())) {
            ContainerSpec spec = spec(isola.defaultIsolators());
            isola.require(spec.isolators().orElse(Set.of()));
            try (Container container = isola.isola().start(spec);
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

    /** The command line's {@code --config}, or null (none, or a run of {@link ContainerStart}'s parse alone). */
    private Path config() {
        return parent == null ? null : parent.config();
    }

    /** The container this command line asks for, with the built-in defaults. */
    ContainerSpec spec() {
        return spec(DEFAULT_ISOLATORS);
    }

    /** For the holder of a detached container: the terminal or stdin it keeps for an attach. */
    public ConsoleMode console() {
        return lifecycle.console();
    }

    /**
     * Whether a run's recorded options ({@code Relaunch.runArgs}) kept the container's stdin open
     * ({@code -i}), for inspect's {@code Config.OpenStdin}; false for options this isola cannot read.
     */
    public static boolean opensStdin(List<String> runArgs) {
        RunCommand run = new RunCommand();
        try {
            new CommandLine(run).setStopAtPositional(true).parseArgs(runArgs.toArray(String[]::new));
        } catch (RuntimeException e) {
            return false;
        }
        return run.lifecycle.interactive;
    }

    /** The --network of {@code runArgs} (a container's run), or null when they name none or cannot be read. */
    public static String networkMode(List<String> runArgs) {
        RunCommand run = new RunCommand();
        try {
            new CommandLine(run).setStopAtPositional(true).parseArgs(runArgs.toArray(String[]::new));
        } catch (RuntimeException e) {
            return null;
        }
        return run.network.mode();
    }

    /** For the monitor of a detached container: the id and state store the CLI registered it under. */
    public RunCommand container(String containerId, StateStore store) {
        this.id = containerId;
        this.stateStore = store;
        return this;
    }

    private StateStore stateStore;

    private StateStore store() {
        return stateStore != null ? stateStore : (parent == null ? new GlobalOptions() : parent.global()).store();
    }

    /** Whether the positional arguments came after "--", which makes the first one the command. */
    private boolean afterSeparator() {
        if (commandSpec == null || commandSpec.commandLine().getParseResult() == null || command == null) {
            return false;
        }
        List<String> args = commandSpec.commandLine().getParseResult().originalArgs();
        int first = args.size() - command.size(); // every argument from the first positional on is positional
        return first > 0 && args.get(first - 1).equals("--");
    }

    /** The container this command line asks for, {@code defaults} being the configured isolators. */
    public ContainerSpec spec(Set<String> defaults) {
        if (id == null) {
            id = Monitor.newId(); // decided once: an image's writable layer is named after it
        }
        FilesystemOptions.Choice choice = filesystem.choose(
                command,
                afterSeparator(),
                entrypoint,
                commandSpec == null ? null : commandSpec.commandLine().getErr());
        // the writable layer outlives a container run without --rm (the flow keeps its state too)
        String keepWhile =
                commandSpec == null || lifecycle.remove ? null : store().dir(id).toString();
        Set<String> isolators = isolators(defaults);
        network.select(isolators);
        if (!isolators.contains("uts")) {
            requireUnset("--hostname", hostname);
            requireUnset("--domainname", domainname);
        }
        ContainerSpec.Builder builder = ContainerSpec.builder(choice.command())
                .cwd(workdir != null ? workdir : choice.workingDir())
                .hostname(hostname)
                .domainname(domainname)
                .isolators(userOptions.isolators(isolators))
                .id(id)
                .with(security.security());
        // before -e, which overrides an image's variables; before --user, whose names the root's /etc/passwd gives
        // volumes are made once the container is registered (a run refused before leaves none behind)
        boolean makeVolumes = commandSpec == null || Files.isDirectory(store().dir(id));
        Filesystem root = filesystem.applyTo(
                builder,
                isolators.contains("mount"),
                choice,
                id,
                keepWhile,
                makeVolumes,
                userOptions.volumeOwners(isolators));
        userOptions.applyTo(builder, root, choice.image());
        stopConfig = stop.config(choice.image());
        healthcheck = health.healthcheck(choice.image());
        lifecycle.envFileEntries().forEach(entry -> Environment.add(builder, entry));
        env.forEach(entry -> Environment.add(builder, entry));
        resources.applyTo(builder);
        devices.applyTo(builder, isolators);
        kernel.applyTo(builder, isolators);
        if (stateStore != null) {
            // a monitor or a start of this container again: -P keeps the host ports it was given
            ContainerState saved = stateStore.read(id);
            if (saved != null && saved.isola() != null && saved.isola().spec() != null) {
                network.reusePublished(saved.isola().spec().ports());
            }
        }
        network.configure(
                builder,
                this::containerId,
                () -> choice.image() == null
                        ? List.of()
                        : ImageStore.fromEnvironment().exposedPorts(choice.image()),
                lifecycle.name,
                this::publishedByOthers);
        // as Docker's, unless the image or -e set them: HOME of the process's user, TERM with a terminal
        ContainerSpec built = builder.build();
        if (!built.env().containsKey("HOME")) {
            builder.env("HOME", UserOptions.home(built, root));
        }
        if (lifecycle.tty && !built.env().containsKey("TERM")) {
            builder.env("TERM", "xterm");
        }
        return lifecycle.init ? RunFlow.withInit(builder.build()) : builder.build();
    }

    /** For the monitor of a detached container: removes the anonymous volumes of one run with --rm once it is gone. */
    public static void removeAnonymousVolumes(ContainerState state, StateStore store) {
        RunFlow.removeAnonymousVolumes(state, store);
    }

    /** The host ports the other containers of this state root publish, and which of them run. */
    private PortsInUse publishedByOthers() {
        Set<Integer> published = new HashSet<>();
        Map<Integer, String> running = new HashMap<>();
        for (ContainerState other : store().list()) {
            if (!other.id().equals(id)
                    && other.isola() != null
                    && other.isola().spec() != null
                    && other.isola().spec().ports() != null) {
                boolean live = other.status() == ContainerState.Status.RUNNING
                        && other.process().isAlive();
                String holder = other.name() != null ? other.name() : other.id().substring(0, 12);
                for (String port : other.isola().spec().ports()) {
                    int hostPort = PortMapping.parse(port).hostPort(); // taken on every address
                    published.add(hostPort);
                    if (live) {
                        running.put(hostPort, holder);
                    }
                }
            }
        }
        return new PortsInUse(published, running);
    }

    /** The id of the container {@code reference} names; a reference to none is left for the net isolator to refuse. */
    private String containerId(String reference) {
        try {
            return store().find(reference).id();
        } catch (StateStore.NoSuchContainerException e) {
            return reference;
        }
    }

    /** The configured defaults with this run's namespace and cgroup flags applied. */
    private Set<String> isolators(Set<String> defaults) {
        Set<String> names = new LinkedHashSet<>(defaults);
        namespaces.applyTo(names);
        resources.selectIsolator(names);
        return names;
    }

    private void requireUnset(String option, String value) {
        if (value != null) {
            // without a UTS namespace the name would be set on the host
            throw new IllegalArgumentException(
                    option + " \"" + value + "\": needs a UTS namespace; drop " + namespaces.utsDroppedBy());
        }
    }
}
