package io.isola.launcher.framework;

import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the {@link NamespaceIsolator} services and decides which of them the runtime uses.
 *
 * <p>Conflicts are settled by registration order, never by chance: an isolator whose name or
 * namespace another already has is rejected: an isolator of {@code bundles/} wins over one of
 * {@code plugins/} (a plugin cannot displace a built-in isolator), else the earlier registration; so
 * is one whose {@code name()} or {@code namespace()} throws or whose {@code enabled} setting is not
 * a boolean. A rejection names the bundle; when the winner goes away, the other is used again.
 */
public final class IsolatorTracker extends ServiceTracker<NamespaceIsolator, AtomicReference<IsolatorTracker.Entry>> {

    private static final Logger LOG = LoggerFactory.getLogger(IsolatorTracker.class);
    static final String ENABLED = "enabled";
    static final String PHASES = "isola.phases";
    static final String CONFIG_FILE = "felix.fileinstall.filename";

    /** One tracked service: usable, or rejected with the reason. */
    record Entry(PluginIsolator isolator, PluginInfo info, String rejection) {}

    /** Which tracked services are used, and why the others are not. */
    public record Selection(List<PluginIsolator> accepted, Map<PluginInfo, String> rejected) {}

    private final Object changed = new Object();
    private final Set<String> reported = new HashSet<>();

    private final Set<String> bootLocations;

    /** @param bootLocations the locations of the bundles installed at boot (bundles/) */
    IsolatorTracker(BundleContext context, Set<String> bootLocations) {
        super(context, NamespaceIsolator.class, null);
        this.bootLocations = bootLocations;
    }

    @Override
    public AtomicReference<Entry> addingService(ServiceReference<NamespaceIsolator> reference) {
        NamespaceIsolator service = context.getService(reference);
        if (service == null) {
            return null; // its component failed to activate: ComponentFailures reports it
        }
        AtomicReference<Entry> entry = new AtomicReference<>(entry(reference, service));
        signal();
        return entry;
    }

    private Entry entry(ServiceReference<NamespaceIsolator> reference, NamespaceIsolator service) {
        Bundle bundle = reference.getBundle();
        String bundleName = bundle.getSymbolicName() + " " + bundle.getVersion();
        Object configFile = reference.getProperty(CONFIG_FILE);
        String file = configFile == null ? null : ConfigFiles.display(configFile.toString());
        Object enabled = reference.getProperty(ENABLED);
        PluginInfo info = new PluginInfo(
                bundleName,
                bundle.getLocation(),
                bootLocations.contains(bundle.getLocation()),
                (Long) reference.getProperty("service.id"),
                !"false".equalsIgnoreCase(String.valueOf(enabled)),
                phases(reference.getProperty(PHASES)),
                file);
        String rejection = null;
        PluginIsolator isolator = null;
        if (enabled != null
                && !(enabled instanceof Boolean)
                && !enabled.toString().strip().matches("(?i)true|false")) {
            rejection = (file == null ? "" : file + ": ") + "enabled \"" + enabled + "\": expected true or false";
        } else {
            try {
                String name = service.name();
                Namespace namespace = service.namespace();
                if (name == null || name.isBlank() || namespace == null) {
                    rejection = "its name() or namespace() is empty";
                } else {
                    isolator = new PluginIsolator(service, name, namespace, info);
                }
            } catch (RuntimeException | LinkageError e) {
                rejection = "its name() or namespace() threw " + e;
            }
        }
        return new Entry(isolator, info, rejection);
    }

    @Override
    public void modifiedService(ServiceReference<NamespaceIsolator> reference, AtomicReference<Entry> entry) {
        // a changed configuration (enabled, config file): read the properties again
        NamespaceIsolator service = context.getService(reference);
        if (service != null) {
            entry.set(entry(reference, service));
            context.ungetService(reference); // keep one use count, taken in addingService
        }
        signal();
    }

    @Override
    public void removedService(ServiceReference<NamespaceIsolator> reference, AtomicReference<Entry> entry) {
        context.ungetService(reference);
        signal();
    }

    /** The tracked services, split into those used and those rejected; conflicts reported once. */
    Selection selection() {
        List<Entry> entries = new ArrayList<>();
        getTracked().values().forEach(entry -> entries.add(entry.get()));
        // plugins start before Declarative Services registers the built-in isolators, so the
        // registration order alone would let a plugin displace one
        entries.sort(Comparator.comparing((Entry e) -> !e.info().fromBoot())
                .thenComparingLong(e -> e.info().serviceId()));
        List<PluginIsolator> accepted = new ArrayList<>();
        Map<PluginInfo, String> rejected = new HashMap<>();
        for (Entry entry : entries) {
            String reason = entry.rejection() != null ? entry.rejection() : conflict(entry.isolator(), accepted);
            if (reason == null) {
                accepted.add(entry.isolator());
            } else {
                rejected.put(entry.info(), reason);
                // a bad enabled value stops the run with its own message (FelixRuntime.requireHealthy)
                if (!reason.contains(": enabled \"")
                        && reported.add(entry.info().serviceId() + reason)) {
                    LOG.warn(
                            "isolator of bundle {} is not used: {}",
                            entry.info().bundle(),
                            reason);
                }
            }
        }
        return new Selection(List.copyOf(accepted), Map.copyOf(rejected));
    }

    private static String conflict(PluginIsolator candidate, List<PluginIsolator> accepted) {
        for (PluginIsolator owner : accepted) {
            if (owner.name().equals(candidate.name())) {
                return "isolator \"" + candidate.name() + "\": the name is taken by the isolator of bundle "
                        + owner.info().bundle();
            }
            if (owner.namespace() == candidate.namespace()) {
                return "isolator \"" + candidate.name() + "\" claims the " + CloneFlags.name(candidate.namespace())
                        + " namespace, which isolator \"" + owner.name() + "\" of bundle "
                        + owner.info().bundle() + " owns";
            }
        }
        return null;
    }

    /** The services used now; the orchestrator orders them itself. */
    Collection<NamespaceIsolator> services() {
        return List.copyOf(selection().accepted());
    }

    Set<String> names() {
        return selection().accepted().stream().map(PluginIsolator::name).collect(Collectors.toSet());
    }

    /** The names of the isolators containers get unless told otherwise. */
    Set<String> enabledByDefault() {
        return selection().accepted().stream()
                .filter(i -> i.info().enabledByDefault())
                .map(PluginIsolator::name)
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** Waits up to {@code timeout} for every name; returns those still missing. */
    Set<String> awaitNames(Set<String> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (changed) {
            while (true) {
                Set<String> missing = new HashSet<>(wanted);
                missing.removeAll(names());
                long left = deadline - System.nanoTime();
                if (missing.isEmpty() || left <= 0) {
                    return missing;
                }
                changed.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /** Waits up to {@code timeout} until {@code condition} holds after a change of services. */
    boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (changed) {
            while (!condition.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.wait(Math.max(1, Math.min(100, left / 1_000_000)));
            }
            return true;
        }
    }

    private static List<String> phases(Object property) {
        if (property == null) {
            return List.of();
        }
        if (property instanceof String[] array) {
            return List.of(array);
        }
        return Arrays.stream(property.toString().split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    private void signal() {
        synchronized (changed) {
            changed.notifyAll();
        }
    }
}
