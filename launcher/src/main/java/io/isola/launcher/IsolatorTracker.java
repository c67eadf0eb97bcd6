package io.isola.launcher;

import io.isola.spi.NamespaceIsolator;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

/** Follows the {@link NamespaceIsolator} services and lets a caller wait for the ones it needs. */
final class IsolatorTracker extends ServiceTracker<NamespaceIsolator, NamespaceIsolator> {

    private final Object changed = new Object();

    IsolatorTracker(BundleContext context) {
        super(context, NamespaceIsolator.class, null);
    }

    @Override
    public NamespaceIsolator addingService(ServiceReference<NamespaceIsolator> reference) {
        NamespaceIsolator service = super.addingService(reference);
        signal();
        return service;
    }

    @Override
    public void removedService(ServiceReference<NamespaceIsolator> reference, NamespaceIsolator service) {
        super.removedService(reference, service);
        signal();
    }

    /** The services tracked now; the orchestrator orders them itself. */
    Collection<NamespaceIsolator> services() {
        return List.copyOf(getTracked().values());
    }

    Set<String> names() {
        return services().stream().map(NamespaceIsolator::name).collect(Collectors.toSet());
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

    private void signal() {
        synchronized (changed) {
            changed.notifyAll();
        }
    }
}
