package io.isola.ns.ipc;

import io.isola.spi.Isolation;
import io.isola.spi.IsolationRequest;
import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;
import org.osgi.service.component.annotations.Component;

/**
 * A new IPC namespace: System V message queues, semaphores and shared memory, and POSIX message
 * queues, start empty and are destroyed with the container. Nothing to set up inside.
 */
@Component(service = NamespaceIsolator.class, configurationPid = "io.isola.ns.ipc")
public final class IpcIsolator implements NamespaceIsolator {

    private static final Isolation NOTHING_TO_DO = new Isolation() {};

    @Override
    public String name() {
        return "ipc";
    }

    @Override
    public Namespace namespace() {
        return Namespace.IPC;
    }

    @Override
    public Isolation prepare(IsolationRequest request) {
        return NOTHING_TO_DO;
    }
}
