package io.isola.internal.launch;

import io.isola.api.ContainerSpec;
import io.isola.api.Filesystem;
import io.isola.spi.Arg;
import io.isola.spi.ChildSteps;
import io.isola.spi.Isolation;
import io.isola.spi.LibcCall;
import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;
import io.isola.spi.Phase;
import io.isola.spi.Step;
import java.util.Set;

/**
 * The root of a container that shares the runtime's mount namespace (an OCI config without a
 * {@code mount} namespace, which the spec says the container inherits): pivot_root would move the
 * runtime's own root, so the child is chrooted into it, as runc does there. Nothing is mounted:
 * any mount would land in the runtime's mount table.
 */
final class RootChroot implements Isolation {

    /** The name failures are reported under. */
    static final NamespaceIsolator OWNER = new CoreOwner("root", Namespace.MOUNT);

    private final String rootfs;

    private RootChroot(String rootfs) {
        this.rootfs = rootfs;
    }

    /**
     * The chroot for {@code spec}, or null when its file system is the mount isolator's (a mount
     * namespace of its own) or the default. Without a mount namespace of its own, only a bare root
     * can be had: volumes, tmpfs mounts, layers and a read-only root are refused, as is a root in
     * a mount namespace joined by path (its root is the one it has).
     */
    static RootChroot of(ContainerSpec spec, Set<Namespace> created, Set<Namespace> joined) {
        Filesystem filesystem =
                spec.extension(Filesystem.class).filter(f -> !f.isDefault()).orElse(null);
        if (filesystem == null || created.contains(Namespace.MOUNT)) {
            return null;
        }
        boolean bareRoot = filesystem.rootfs().isPresent()
                && filesystem.layers().isEmpty()
                && !filesystem.readOnly()
                && filesystem.volumes().isEmpty()
                && filesystem.tmpfs().isEmpty();
        if (!bareRoot || joined.contains(Namespace.MOUNT)) {
            throw new IllegalArgumentException(
                    "a read-only root, layers, volumes and tmpfs mounts need a mount namespace of"
                            + " the container's own, which this container does not have (a root alone is chrooted into, in the"
                            + " runtime's mount namespace; not in one joined by path)");
        }
        return new RootChroot(filesystem.rootfs().orElseThrow());
    }

    @Override
    public void contribute(ChildSteps steps) {
        steps.add(Phase.PIVOT, Step.call("change the root to " + rootfs, LibcCall.CHROOT, Arg.text(rootfs)));
    }
}
