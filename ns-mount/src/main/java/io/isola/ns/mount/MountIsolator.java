package io.isola.ns.mount;

import io.isola.api.Filesystem;
import io.isola.api.KernelPaths;
import io.isola.api.Security;
import io.isola.spi.ChildSteps;
import io.isola.spi.ClonedChild;
import io.isola.spi.Duty;
import io.isola.spi.Isolation;
import io.isola.spi.IsolationRequest;
import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;
import io.isola.spi.support.HostIdentity;
import io.isola.spi.support.Selinux;
import java.util.Set;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A new mount namespace with the container's own view of files: a root file system ({@link
 * Filesystem#rootfs()}) or the default sandbox (the host's files read-only), its own {@code /proc},
 * {@code /dev} and read-only {@code /sys}, volumes and tmpfs mounts, entered with pivot_root, with
 * OCI's masked and read-only paths. The runtime makes {@code /} recursively private first; every
 * mount is made in the container's namespace, so the host's mount table never changes and there
 * is nothing to unmount afterwards.
 */
@Component(service = NamespaceIsolator.class, configurationPid = "io.isola.ns.mount")
public final class MountIsolator implements NamespaceIsolator {

    private static final Logger LOG = LoggerFactory.getLogger(MountIsolator.class);
    private static final Filesystem DEFAULT = Filesystem.builder().build();

    @Override
    public String name() {
        return "mount";
    }

    @Override
    public Namespace namespace() {
        return Namespace.MOUNT;
    }

    /**
     * proc is mounted in the new root, before pivot_root, not on the host's /proc; so are the
     * binds other isolators request (the network's /etc/hosts), which a mount on the host's
     * paths would leave behind at pivot_root.
     */
    @Override
    public Set<Duty> duties() {
        return Set.of(Duty.MOUNT_PROC, Duty.BIND_REQUESTS);
    }

    @Override
    public Isolation prepare(IsolationRequest request) {
        Filesystem filesystem = request.spec().extension(Filesystem.class).orElse(DEFAULT);
        Security security = Security.of(request.spec());
        FilesystemPlan plan = FilesystemPlan.of(filesystem, Neighbours.of(request))
                .maskPaths(!security.privileged())
                .kernelPaths(request.spec().extension(KernelPaths.class).orElse(null))
                .requestedBinds(request.requestedBinds())
                .sources(sources(request))
                // where SELinux is off the kernel knows no context= option: ignored, as the process's label is
                .mountLabel(Selinux.enabled() ? security.mountLabel().orElse(null) : null)
                .plan();
        LOG.debug(
                "container {}: {} file system steps for {}",
                request.containerId(),
                plan.steps().planned().size(),
                filesystem);
        return new Isolation() {
            @Override
            public void contribute(ChildSteps steps) {
                plan.steps().replay(steps);
            }

            /**
             * With a user namespace, the root's owners are mapped and the binds' sources staged
             * before the child builds its root: its maps exist now.
             */
            @Override
            public void afterClone(ClonedChild child) throws Exception {
                if (request.selected(Namespace.USER)) {
                    plan.mapOwners(child);
                }
                plan.started(child.pid());
            }

            /** The root's lock goes as this process's exit would drop it; the placeholders stay. */
            @Override
            public void handOver() {
                plan.handOver();
            }

            @Override
            public void close() {
                plan.close();
            }
        };
    }

    /** Staged in a user namespace: by the host when it is root, else by the child (see {@link BindSources}). */
    private static BindSources sources(IsolationRequest request) {
        if (!request.selected(Namespace.USER)) {
            return BindSources.byPath();
        }
        return HostIdentity.current().isRoot()
                ? BindSources.staged(HostMountPoints.binds())
                : BindSources.stagedByChild(HostMountPoints.ownBinds());
    }
}
