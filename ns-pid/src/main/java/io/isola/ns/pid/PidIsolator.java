package io.isola.ns.pid;

import io.isola.spi.ChildSteps;
import io.isola.spi.Duty;
import io.isola.spi.Isolation;
import io.isola.spi.IsolationRequest;
import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;
import io.isola.spi.Phase;
import io.isola.spi.Steps;
import java.util.concurrent.atomic.AtomicBoolean;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A new PID namespace: the command is PID 1, with the kernel's init semantics (signals without a
 * handler are ignored, orphans are reparented to it, everything in the namespace is killed when
 * it exits). With a mount namespace, the container gets a {@code /proc} of its own (mounted here,
 * unless the mount isolator takes {@link Duty#MOUNT_PROC} and mounts it in the new root); without one,
 * mounting proc would cover the host's, so {@code /proc} keeps showing the host's processes.
 */
@Component(
        service = NamespaceIsolator.class,
        configurationPid = "io.isola.ns.pid",
        property = "isola.phases=FILESYSTEM")
public final class PidIsolator implements NamespaceIsolator {

    private static final Logger LOG = LoggerFactory.getLogger(PidIsolator.class);

    /** The warning matters once; repeating it for every container would drown a log. */
    private final AtomicBoolean warnedAboutProc = new AtomicBoolean();

    @Override
    public String name() {
        return "pid";
    }

    @Override
    public Namespace namespace() {
        return Namespace.PID;
    }

    @Override
    public Isolation prepare(IsolationRequest request) {
        boolean ownProc = request.selected(Namespace.MOUNT);
        // a mount isolator that builds the container's root mounts proc inside it (before pivot_root)
        boolean mountProc = ownProc && !request.provided(Duty.MOUNT_PROC);
        if (!ownProc && !warnedAboutProc.getAndSet(true)) {
            LOG.warn(
                    "container {} has a PID namespace but no mount namespace: /proc shows the host's processes",
                    request.containerId());
        }
        return new Isolation() {
            @Override
            public void contribute(ChildSteps steps) {
                if (mountProc) {
                    steps.add(
                            Phase.FILESYSTEM,
                            Steps.mount(
                                    "mount proc on /proc",
                                    "proc",
                                    "/proc",
                                    "proc",
                                    Steps.MS_NOSUID | Steps.MS_NODEV | Steps.MS_NOEXEC,
                                    null));
                }
            }
        };
    }
}
