package io.isola.launcher;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.ExitStatus;
import io.isola.api.Isola;
import io.isola.api.IsolaException;
import io.isola.launcher.framework.FelixRuntime;
import io.isola.launcher.framework.FrameworkSettings;
import io.isola.launcher.framework.IsolatorTracker;
import io.isola.launcher.framework.PluginStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * isola embedded in an application: Felix with the isolator bundles inside, the API and SPI shared
 * from the application's class path, containers started from {@link ContainerSpec}s.
 *
 * <pre>{@code
 * try (IsolaRuntime isola = IsolaRuntime.withBundles(Path.of("isola/bundles"))
 *         .config(Path.of("isola/conf")).plugins(Path.of("isola/plugins")).start()) {
 *     try (Container c = isola.start(ContainerSpec.builder("echo", "hi").stdout(Stdio.PIPE).build())) {
 *         String out = new String(c.stdout().readAllBytes());
 *         ExitStatus status = c.waitFor();
 *     }
 * }
 * }</pre>
 *
 * <p>A spec that names no isolators gets those enabled by default at that moment: every isolator
 * registered, less those whose .cfg says {@code enabled = false}; a jar dropped into the plugins
 * directory counts from the next container on. The network isolator is one of them: a spec that
 * says nothing of its network gets a namespace of its own ({@code mode} in its .cfg, {@code none}
 * unless set), never the host's unless it asks ({@code Network.host()}).
 *
 * <p>Run as root, the application's process is non-dumpable from its first container on, for its
 * life, as runc's is: every container process is a clone of it until execve, and a dumpable one
 * would show a container the host's java binary and memory. The kernel then writes no core dump
 * of the application, and only tools with CAP_SYS_PTRACE may attach to it. Thread-safe; {@link #close()} kills containers
 * still running and stops the framework, leaving no thread, file or mount of its own behind.
 */
public final class IsolaRuntime implements AutoCloseable {

    private static final Duration ISOLATOR_WAIT = Duration.ofSeconds(5);

    /** The runtime of a resident server, which {@link #withIsolators} lends to every command. */
    private static volatile IsolaRuntime resident;

    private final FelixRuntime felix;
    private final Isola isola;
    /** A loan of the resident runtime: closing it leaves the runtime running. */
    private final boolean borrowed;

    private IsolaRuntime(FelixRuntime felix) {
        this(felix, Isola.builder().isolatorSource(felix.isolators()).build());
    }

    private IsolaRuntime(FelixRuntime felix, Isola isola) {
        this(felix, isola, false);
    }

    private IsolaRuntime(FelixRuntime felix, Isola isola, boolean borrowed) {
        this.felix = felix;
        this.isola = isola;
        this.borrowed = borrowed;
    }

    /**
     * Makes {@link #withIsolators} lend {@code runtime} (warm: Felix, SCR and the native layer
     * loaded) rather than boot a framework per command; null ends it. For the resident server.
     */
    public static void makeResident(IsolaRuntime runtime) {
        resident = runtime;
    }

    /**
     * For the CLI's verbs: the distribution's runtime (bundles/, the configuration directory
     * {@code config} names, else {@code $ISOLA_CONF} or conf/), with {@code names} registered.
     * {@code config} is the command line's {@code --config} (null: none): a command that names one
     * gets a framework of its own, even in the resident server, whose framework was booted with the
     * server's configuration.
     */
    public static IsolaRuntime withIsolators(Path config, Set<String> names) throws InterruptedException {
        IsolaRuntime shared = config == null ? resident : null;
        if (shared != null) {
            shared.felix.requireHealthy();
            shared.felix.requireIsolators(names, ISOLATOR_WAIT);
            return new IsolaRuntime(shared.felix, shared.isola, true);
        }
        IsolaRuntime ahead = config == null ? BootAhead.claim() : null;
        IsolaRuntime runtime = ahead != null ? ahead : bootDistribution(config);
        try {
            runtime.felix.requireHealthy();
            runtime.felix.requireIsolators(names, ISOLATOR_WAIT);
            return runtime;
        } catch (RuntimeException | InterruptedException e) {
            runtime.close();
            throw e;
        }
    }

    /**
     * For a sweep of what dead containers left ({@code LeftoverSweep}): a resident server's runtime,
     * lent without {@link #withIsolators}' health check (a component that failed to start registers no
     * sweeper, so there is nothing to refuse; the check reads SCR's state through reflection, a third
     * of a served delete's sweep), else {@link #withIsolators} of none.
     */
    public static IsolaRuntime forSweeping(Path config) throws InterruptedException {
        IsolaRuntime shared = config == null ? resident : null;
        return shared != null ? new IsolaRuntime(shared.felix, shared.isola, true) : withIsolators(config, Set.of());
    }

    /** {@link #bootDistribution(Path)} with no {@code --config}: what {@link BootAhead} boots while the command line is parsed. */
    static IsolaRuntime bootDistribution() {
        return bootDistribution(null);
    }

    /** Boots the distribution's framework: bundles/, the configuration directory ({@link Layout#conf}), its plugins. */
    static IsolaRuntime bootDistribution(Path config) {
        return withBundles(Layout.bundles())
                .config(Layout.conf(config))
                .pollFromSettings()
                .start();
    }

    /** Waits until the isolators {@code names} are registered; throws naming those missing. */
    public void require(Set<String> names) throws InterruptedException {
        felix.requireIsolators(names, ISOLATOR_WAIT);
    }

    /** For verbs that only join existing namespaces (exec): no framework, no isolators. */
    public static IsolaRuntime bare() {
        return new IsolaRuntime(null, Isola.builder().build());
    }

    /** A runtime whose framework installs the bundles of {@code bundleDir} (a distribution's bundles/). */
    public static Builder withBundles(Path bundleDir) {
        return new Builder(Objects.requireNonNull(bundleDir, "bundleDir"));
    }

    /**
     * Starts a container and returns once its command runs; see {@link Isola#start}. Throws an
     * {@link IsolaException} naming the bundle and file when an isolator could not start because
     * of its configuration.
     */
    public Container start(ContainerSpec spec) throws InterruptedException {
        felix.requireHealthy();
        if (spec.isolators().isPresent()) {
            felix.requireIsolators(spec.isolators().get(), ISOLATOR_WAIT);
            return isola.start(spec);
        }
        return isola.start(spec.toBuilder().isolators(felix.enabledByDefault()).build());
    }

    /** Starts a container and waits for its command to end. */
    public ExitStatus run(ContainerSpec spec) throws InterruptedException {
        try (Container container = start(spec)) {
            return container.waitFor();
        }
    }

    /** The isolators a spec without its own list gets now. */
    public Set<String> defaultIsolators() {
        return felix.enabledByDefault();
    }

    /**
     * Waits up to {@code timeout} until the names of the isolators in use satisfy {@code condition},
     * such as a plugin's arriving after its jar was dropped into the plugins directory.
     */
    public boolean awaitIsolators(Predicate<Set<String>> condition, Duration timeout) throws InterruptedException {
        return felix.await(() -> condition.test(felix.enabledByDefault()), timeout);
    }

    /** Every isolator the framework knows of, used or not, and isolator components that failed. */
    public List<PluginStatus> plugins() {
        List<PluginStatus> rows = new ArrayList<>();
        IsolatorTracker.Selection selection = felix.selection();
        selection
                .accepted()
                .forEach(i -> rows.add(PluginStatus.of(
                        i.info(),
                        i.name(),
                        i.namespace(),
                        i.info().enabledByDefault() ? "on by default" : "off by default")));
        selection
                .rejected()
                .forEach((info, reason) -> rows.add(PluginStatus.of(info, null, null, "rejected: " + reason)));
        felix.failures().forEach(f -> rows.add(PluginStatus.failed(f)));
        rows.sort(Comparator.comparing(PluginStatus::bundle).thenComparing(r -> String.valueOf(r.name())));
        return rows;
    }

    /** A service a plugin registered besides its isolator (such as {@code io.isola.spi.support.ResourceControls}). */
    public <T> Optional<T> service(Class<T> type) {
        return felix == null ? Optional.empty() : felix.service(type);
    }

    /** Every service of {@code type} that plugins registered (such as {@code io.isola.spi.LeftoverSweeper}). */
    public <T> List<T> services(Class<T> type) {
        return felix == null ? List.of() : felix.services(type);
    }

    /** The underlying runtime, for isolators picked by the caller. */
    public Isola isola() {
        return isola;
    }

    @Override
    public void close() {
        if (borrowed) {
            return;
        }
        try {
            isola.close();
        } finally {
            if (felix != null) {
                felix.close();
            }
        }
    }

    /** Where the bundles, configuration and plugins are. */
    public static final class Builder {
        private final Path bundles;
        private Path conf;
        private Path plugins;
        private Path cache;
        private Duration poll = Duration.ofSeconds(1);

        private Builder(Path bundles) {
            this.bundles = bundles;
        }

        /** The configuration directory: isola.properties and the isolators' {@code <pid>.cfg} files. */
        public Builder config(Path dir) {
            this.conf = dir;
            return this;
        }

        /** A directory watched for isolator bundles while the runtime runs; overrides isola.properties. */
        public Builder plugins(Path dir) {
            this.plugins = dir;
            return this;
        }

        /** A bundle cache kept between runs (faster starts); by default a temporary one. */
        public Builder cache(Path dir) {
            this.cache = dir;
            return this;
        }

        /** How often the plugins and configuration directories are checked; overrides isola.properties. */
        public Builder pollInterval(Duration interval) {
            this.poll = interval;
            return this;
        }

        public IsolaRuntime start() {
            FrameworkSettings settings = FrameworkSettings.load(conf);
            if (plugins != null || conf == null) {
                settings = new FrameworkSettings(settings.bundlePatterns(), plugins, settings.pollMillis());
            }
            if (poll != null) {
                settings = new FrameworkSettings(settings.bundlePatterns(), settings.plugins(), poll.toMillis());
            }
            FelixRuntime felix = FelixRuntime.start(new FelixRuntime.Options(bundles, conf, settings, cache));
            return new IsolaRuntime(felix);
        }

        /** For the CLI: the settings file decides the poll interval. */
        public Builder pollFromSettings() {
            this.poll = null;
            return this;
        }
    }
}
