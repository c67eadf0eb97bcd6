package io.isola.ns.mount;

import io.isola.spi.Isolation;
import io.isola.spi.IsolationRequest;
import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;
import org.osgi.service.component.annotations.Component;

/**
 * A new mount namespace. The runtime itself makes {@code /} recursively private first thing in the
 * filesystem phase (a kernel rule that every mount namespace needs, not a choice of this plugin);
 * the container sees the host's files, with its own {@code /proc} when it has its own PID
 * namespace. Root file systems, pivot_root and volumes come with the filesystem issue.
 */
@Component(service = NamespaceIsolator.class, configurationPid = "io.isola.ns.mount")
public final class MountIsolator implements NamespaceIsolator {

    private static final Isolation NOTHING_TO_DO = new Isolation() {};

    @Override
    public String name() {
        return "mount";
    }

    @Override
    public Namespace namespace() {
        return Namespace.MOUNT;
    }

    @Override
    public Isolation prepare(IsolationRequest request) {
        return NOTHING_TO_DO;
    }
}
