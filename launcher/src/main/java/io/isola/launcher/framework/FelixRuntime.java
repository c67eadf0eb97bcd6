package io.isola.launcher.framework;

import io.isola.api.IsolaException;
import io.isola.internal.launch.StartupTrace;
import io.isola.internal.osgi.CoreExports;
import io.isola.internal.security.OwnedPaths;
import io.isola.launcher.BuildInfo;
import io.isola.spi.NamespaceIsolator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.felix.framework.Felix;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embedded Felix framework running the bundles of one directory, and the isolator services they
 * register.
 *
 * <p>The core is not a bundle: it stays on the application class path and the system bundle
 * exports its API and SPI, so the {@code NamespaceIsolator} a bundle implements is the very class
 * the orchestrator calls, and jnr-ffi is loaded once, outside OSGi.
 */
public final class FelixRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FelixRuntime.class);
    private static final long STOP_TIMEOUT_MILLIS = 10_000;

    /** Started first, in this order: configurations must be in ConfigAdmin before SCR activates anything. */
    private static final List<String> FIRST = List.of("org.apache.felix.configadmin", "org.apache.felix.fileinstall");

    /** Felix's prefix of a location whose jar is read where it is, not copied into the cache. */
    private static final String BY_REFERENCE = "reference:";

    /**
     * What to run.
     *
     * @param bundles the directory of bundles installed and started at boot
     * @param conf the configuration directory (isolators' .cfg files), or null for none
     * @param settings which bundles, the plugins directory and the poll interval
     * @param storage the bundle cache, or null for a temporary one deleted on close
     */
    public record Options(Path bundles, Path conf, FrameworkSettings settings, Path storage) {}

    private final Path bundleDir;
    private final Path storage;
    private final boolean ownsStorage;
    private final Framework framework;
    private IsolatorTracker tracker;
    private final Set<String> reportedFailures = ConcurrentHashMap.newKeySet();
    /** SCR's runtime service, looked up once (see {@link #failures}). */
    private volatile ServiceReference<?> componentRuntime;

    private FelixRuntime(Path bundleDir, Path storage, boolean ownsStorage, Framework framework) {
        this.bundleDir = bundleDir;
        this.storage = storage;
        this.ownsStorage = ownsStorage;
        this.framework = framework;
    }

    /** Boots Felix with a temporary bundle cache, deleted on {@link #close()}. */
    public static FelixRuntime start(Path bundleDir) {
        return start(bundleDir, null);
    }

    /**
     * Boots Felix, then installs and starts every jar in {@code bundleDir}, in name order.
     *
     * @param storage the bundle cache, or {@code null} for a temporary one
     */
    public static FelixRuntime start(Path bundleDir, Path storage) {
        return start(new Options(bundleDir, null, FrameworkSettings.DEFAULTS, storage));
    }

    /** Boots Felix with the given bundles, configuration and plugins directory. */
    public static FelixRuntime start(Options options) {
        Path bundleDir = options.bundles();
        Path storage = options.storage();
        // what the framework loads is code and its settings: nobody but the caller or root may choose it
        OwnedPaths.trustedDirectory(bundleDir, "bundle directory");
        if (options.conf() != null) {
            OwnedPaths.trustedDirectory(options.conf(), "configuration directory");
        }
        if (options.settings().plugins() != null) {
            OwnedPaths.trustedDirectory(options.settings().plugins(), "plugins directory");
        }
        List<Path> jars = bundleJars(bundleDir).stream()
                .filter(options.settings()::installs)
                .toList();
        String systemPackages = CoreExports.systemPackages(); // before anything is created that close() must undo
        boolean owns = storage == null;
        Path cache = owns ? BundleCache.create() : storage;
        Map<String, Object> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, cache.toString());
        // A kept cache (a warm start) restores last run's bundles; install() updates those whose
        // jar changed since and uninstalls those whose jar is gone. Bundles are started transiently,
        // so that a restored framework starts none of them before configurations are in place.
        config.put(
                Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA,
                systemPackages + ",org.slf4j;version=" + BuildInfo.slf4jVersion());
        // Parallel resolution makes a thread pool that Felix never shuts down (its threads idle
        // on for 60 s after stop); resolving a handful of bundles in the caller's thread is as fast.
        config.put("felix.resolver.parallelism", "1");
        watchedDirectories(options, config);
        // SCR prints on stdout and stderr (the container's); ComponentFailures reports failures instead
        config.put("ds.showerrors", "false");
        FelixLogBridge logBridge = new FelixLogBridge();
        config.put("felix.log.logger", logBridge);
        config.put("felix.log.level", Integer.toString(logBridge.level()));
        // Felix's FrameworkFactory takes Map<String, String>; the logger is an object, so the
        // framework is made directly (which is all the factory does).
        FelixRuntime runtime = new FelixRuntime(bundleDir, cache, owns, new Felix(config));
        try {
            runtime.boot(jars);
            return runtime;
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
    }

    private void boot(List<Path> jars) {
        try {
            StartupTrace.mark("felix init");
            framework.init();
            StartupTrace.mark("felix inited");
            BundleContext context = framework.getBundleContext();
            tracker = new IsolatorTracker(
                    context, jars.stream().map(this::location).collect(Collectors.toSet()));
            tracker.open();
            Map<Bundle, Path> installed = new LinkedHashMap<>();
            for (Path jar : jars) {
                installed.put(install(context, jar, location(jar)), jar);
            }
            uninstallGone(context, installed.keySet());
            StartupTrace.mark("bundles installed");
            framework.start();
            boolean watching = !framework
                    .getBundleContext()
                    .getProperty("felix.fileinstall.dir")
                    .isEmpty();
            installed.keySet().stream()
                    .filter(b -> FIRST.contains(b.getSymbolicName()))
                    .filter(b -> watching || !b.getSymbolicName().equals(FIRST.get(1)))
                    .sorted(Comparator.comparingInt(b -> FIRST.indexOf(b.getSymbolicName())))
                    .forEach(b -> startBundle(b, installed.get(b)));
            installed.forEach((bundle, jar) -> {
                if (!FIRST.contains(bundle.getSymbolicName())) {
                    startBundle(bundle, jar);
                }
            });
            StartupTrace.mark("bundles started");
            LOG.debug("felix started {} bundles from {}", installed.size(), bundleDir);
        } catch (BundleException e) {
            throw new IsolaException("the OSGi framework did not start: " + e.getMessage(), e);
        }
    }

    /** Bundles of the boot directory restored from a kept cache whose jar is no longer there. */
    private void uninstallGone(BundleContext context, Collection<Bundle> current) throws BundleException {
        String dir = bundleDir.toUri().toString();
        for (Bundle bundle : context.getBundles()) {
            if (bundle.getBundleId() != 0 && bundle.getLocation().startsWith(dir) && !current.contains(bundle)) {
                bundle.uninstall();
            }
        }
    }

    /**
     * FileInstall's settings: it watches the configuration directory (each {@code <pid>.cfg} goes
     * to ConfigAdmin, changes included) and the plugins directory (jars installed, updated and
     * uninstalled as they come and go). Its first scan runs while it starts, before SCR, so no
     * isolator ever runs with defaults that its file overrides.
     */
    private static void watchedDirectories(Options options, Map<String, Object> config) {
        List<String> dirs = new ArrayList<>();
        if (options.conf() != null) {
            dirs.add(options.conf().toAbsolutePath().toString());
        }
        Path plugins = options.settings().plugins();
        if (plugins != null) {
            try {
                Files.createDirectories(plugins);
            } catch (IOException e) {
                throw new IsolaException("plugins directory " + plugins + " cannot be created: " + e.getMessage(), e);
            }
            dirs.add(plugins.toAbsolutePath().toString());
        }
        // nothing to watch: FileInstall is not started (left alone it would watch ./load)
        config.put("felix.fileinstall.dir", String.join(",", dirs));
        config.put("felix.fileinstall.noInitialDelay", "true");
        config.put("felix.fileinstall.poll", Long.toString(options.settings().pollMillis()));
        config.put("felix.fileinstall.filter", ".*\\.(cfg|config|jar)");
        // the files are the user's: never write configuration changes back into them
        config.put("felix.fileinstall.enableConfigSave", "false");
        config.put("felix.fileinstall.bundles.startTransient", "true");
        config.put("felix.fileinstall.log.default", "jul");
        config.put("felix.fileinstall.log.level", LOG.isDebugEnabled() ? "4" : "1");
    }

    /** The isolator components that failed to start (a bad value in their .cfg, most often). */
    public List<ComponentFailures.Failure> failures() {
        BundleContext context = framework.getBundleContext();
        // looked up again only once it went away (an unregistered service's reference has no
        // bundle): a lookup by class name from the system bundle first tries to load the class
        // from the class path, and the DS API is not on it, a ClassNotFoundException through
        // every jar, each served run
        ServiceReference<?> reference = componentRuntime;
        if (reference == null || reference.getBundle() == null) {
            reference = ComponentFailures.runtimeReference(context);
            componentRuntime = reference;
        }
        return ComponentFailures.of(context, reference);
    }

    /** Which isolator services are used, and why the others are not. */
    public IsolatorTracker.Selection selection() {
        return tracker.selection();
    }

    /** The isolators containers get when neither a spec nor a flag says otherwise. */
    public Set<String> enabledByDefault() {
        return tracker.enabledByDefault();
    }

    /** Waits until the isolator services change so that {@code condition} holds. */
    public boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        return tracker.await(condition, timeout);
    }

    /**
     * Throws when an isolator could not start because of its configuration file: a run must not go
     * on without an isolator the user configured, nor with settings other than they wrote. A
     * component that fails for another reason (a plugin's bug) is only logged: the other isolators
     * keep working, and {@code isola plugins} shows why it is missing.
     */
    public void requireHealthy() {
        List<String> problems = new ArrayList<>();
        for (ComponentFailures.Failure failure : failures()) {
            if (failure.configFile() != null) {
                problems.add(failure.message());
            } else if (reportedFailures.add(failure.message())) {
                LOG.warn("{}", failure.message());
            }
        }
        tracker.selection().rejected().forEach((info, reason) -> {
            if (reason.contains(": enabled \"")) {
                problems.add(reason);
            }
        });
        if (!problems.isEmpty()) {
            throw new IsolaException(String.join("; ", problems));
        }
    }

    /**
     * Where the bundle of {@code jar} is installed from. A temporary cache, which no later start
     * restores, takes the jar where it is ({@code reference:}, read in place as the class path's
     * jars are) instead of a copy of it written at every start and deleted at every exit; a kept
     * cache holds copies, so that a start it restores does not depend on the jars it was made from.
     */
    private String location(Path jar) {
        String uri = jar.toUri().toString();
        return ownsStorage ? BY_REFERENCE + uri : uri;
    }

    private static Bundle install(BundleContext context, Path jar, String location) {
        try {
            Bundle cached = context.getBundle(location);
            if (cached == null) {
                return context.installBundle(location);
            }
            // the cache's copy is older than the jar: a rebuilt bundle must not be silently ignored
            if (Files.getLastModifiedTime(jar).toMillis() > cached.getLastModified()) {
                cached.update();
            }
            return cached;
        } catch (IOException e) {
            throw new IsolaException("bundle " + jar + " cannot be read: " + e.getMessage(), e);
        } catch (BundleException e) {
            throw new IsolaException("bundle " + jar + " could not be installed: " + e.getMessage(), e);
        }
    }

    /**
     * A bundle that does not start is reported, not fatal: the runtime works on with the
     * isolators the other bundles provide, and a container that needs the missing one fails
     * naming it (see {@link #requireIsolators}).
     */
    private static void startBundle(Bundle bundle, Path jar) {
        // fragments attach to their host and cannot be started
        if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) != null) {
            return;
        }
        try {
            bundle.start(Bundle.START_TRANSIENT);
        } catch (BundleException e) {
            LOG.warn("bundle {} did not start: {}", jar, e.getMessage());
        }
    }

    /** The isolator services registered now; asked again for every container. */
    public Supplier<Collection<NamespaceIsolator>> isolators() {
        return tracker::services;
    }

    /**
     * A service of a type shared from the application's class path (such as {@code
     * io.isola.spi.support.ResourceControls}) that a bundle registered, if one is registered now.
     */
    public <T> Optional<T> service(Class<T> type) {
        BundleContext context = framework.getBundleContext();
        ServiceReference<T> reference = context.getServiceReference(type);
        return reference == null ? Optional.empty() : Optional.ofNullable(context.getService(reference));
    }

    /** Every service of {@code type} that bundles registered now (each plugin's {@code LeftoverSweeper}). */
    public <T> List<T> services(Class<T> type) {
        BundleContext context = framework.getBundleContext();
        List<T> services = new ArrayList<>();
        try {
            for (ServiceReference<T> reference : context.getServiceReferences(type, null)) {
                T service = context.getService(reference);
                if (service != null) {
                    services.add(service);
                }
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException("no filter was given", e);
        }
        return services;
    }

    /**
     * Waits until isolators with all of {@code names} are registered. Components register when
     * their bundle starts, but their dependencies may make them appear a little later.
     *
     * @throws IsolaException naming the missing isolators and the available ones after {@code timeout}
     */
    public void requireIsolators(Set<String> names, Duration timeout) throws InterruptedException {
        Set<String> missing = tracker.awaitNames(names, timeout);
        if (missing.isEmpty()) {
            return;
        }
        String wanted = missing.stream().sorted().map(n -> "\"" + n + "\"").collect(Collectors.joining(", "));
        String available = tracker.names().stream().sorted().collect(Collectors.joining(", "));
        throw new IsolaException((missing.size() == 1 ? "isolator " + wanted + " is" : "isolators " + wanted + " are")
                + " not available; available: " + (available.isEmpty() ? "none" : available)
                + " (from the bundles in " + bundleDir + ")");
    }

    /** Stops the framework, which ends its threads and the bundles' ones, and drops a temporary cache. */
    @Override
    public void close() {
        if (tracker != null) {
            tracker.close();
        }
        try {
            framework.stop();
            FrameworkEvent event = framework.waitForStop(STOP_TIMEOUT_MILLIS);
            if (event.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                LOG.warn("felix did not stop within {} ms", STOP_TIMEOUT_MILLIS);
            }
        } catch (BundleException e) {
            LOG.warn("felix did not stop: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            StartupTrace.mark("felix stopped");
            if (ownsStorage) {
                BundleCache.delete(storage);
            }
            StartupTrace.mark("cache deleted");
        }
    }

    private static List<Path> bundleJars(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IsolaException(
                    "bundle directory " + dir + " does not exist; expected the directory of isolator bundles");
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> jars = files.filter(f -> f.getFileName().toString().endsWith(".jar"))
                    .sorted()
                    .toList();
            if (jars.isEmpty()) {
                throw new IsolaException(
                        "bundle directory " + dir + " holds no .jar files; expected the isolator bundles");
            }
            return jars;
        } catch (IOException e) {
            throw new IsolaException("bundle directory " + dir + " cannot be read: " + e.getMessage(), e);
        }
    }
}
