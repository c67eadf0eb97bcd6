package io.isola.ns.mount;

import io.isola.api.Filesystem;
import io.isola.api.KernelPaths;
import io.isola.spi.ClonedChild;
import io.isola.spi.ContainerBind;
import io.isola.spi.Phase;
import io.isola.spi.support.HostIdentity;
import io.isola.spi.support.IdMaps;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plans one container's file system, in the order the child must build it:
 * <ol>
 *   <li>the new root, mounted at a host path (the runtime has made {@code /} private already);
 *   <li>{@code /proc}, {@code /dev}, {@code /sys} inside it;
 *   <li>volumes and tmpfs mounts, after the kernel's, so that a user's mount on {@code /dev/...}
 *       lands in the container's {@code /dev};
 *   <li>pivot_root into it and the host's root detached;
 *   <li>the read-only root and the masked and read-only paths, last, because they cover paths
 *       that the earlier steps create or mount on.
 * </ol>
 */
final class FilesystemPlan implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FilesystemPlan.class);

    private final PlannedSteps steps;
    private final RootLayout root;
    private final BindSources sources;
    private final UserMounts mounts;

    private FilesystemPlan(PlannedSteps steps, RootLayout root, BindSources sources, UserMounts mounts) {
        this.steps = steps;
        this.root = root;
        this.sources = sources;
        this.mounts = mounts;
    }

    PlannedSteps steps() {
        return steps;
    }

    /**
     * Checks that {@code child}'s root can reach what it looks up by path ({@link Reachability}),
     * gives the root's files and the volumes' their owners in its user namespace (see {@link
     * RootOwnership}: a new volume's owners shifted, then what asks for it idmapped unless its
     * owner is mapped), and then stages the binds' sources where it can reach them ({@link BindSources}): a layer's
     * staged bind is a copy of its idmapped mount.
     */
    void mapOwners(ClonedChild child) throws Exception {
        IdMaps maps = IdMaps.of(child);
        root.requireOwnable(maps);
        Reachability.of(maps).require(root.lookedUpByPath());
        RootOwnership ownership = RootOwnership.of(child);
        if (ownership != null) {
            root.mapOwners(child, ownership);
            ownership.shift(mounts.shifted());
            ownership.idmap(child, ownership.unmapped(mounts.idmapped()), "volume source");
        }
        sources.stage(child);
    }

    /** Tells the root that the container's first process exists. */
    void started(long pid) {
        root.started(pid);
    }

    /** The container outlives this process: see {@link RootLayout#handOver()}. */
    void handOver() {
        root.handOver();
    }

    /** Releases what the host prepared for the root (an image's writable layer). */
    @Override
    public void close() {
        root.release();
    }

    /** A plan of {@code filesystem} beside {@code neighbours}; the {@link Builder} takes the rest. */
    static Builder of(Filesystem filesystem, Neighbours neighbours) {
        return new Builder(filesystem, neighbours);
    }

    /** What a plan takes besides the file system and its neighbours, each with its default. */
    static final class Builder {
        private final Filesystem filesystem;
        private final Neighbours neighbours;
        private boolean maskPaths = true;
        private KernelPaths kernelPaths;
        private List<ContainerBind> requested = List.of();
        private BindSources sources = BindSources.byPath();
        private String mountLabel;

        private Builder(Filesystem filesystem, Neighbours neighbours) {
            this.filesystem = filesystem;
            this.neighbours = neighbours;
        }

        /** False ({@code --privileged}) leaves the kernel's paths as they are, as Docker does; default true. */
        Builder maskPaths(boolean maskPaths) {
            this.maskPaths = maskPaths;
            return this;
        }

        /** The masked and read-only paths, or null (the default) for OCI's. */
        Builder kernelPaths(KernelPaths kernelPaths) {
            this.kernelPaths = kernelPaths;
            return this;
        }

        /**
         * The binds other isolators requested ({@code IsolationRequest.requestBind}), mounted with
         * the volumes; the sandbox shows the host's files read-only, so a requested bind whose
         * target the host lacks there is left out rather than failing the container. Default none.
         */
        Builder requestedBinds(List<ContainerBind> requested) {
            this.requested = requested;
            return this;
        }

        /** Names the binds' sources for the child (staged by the host for a user namespace); default by path. */
        Builder sources(BindSources sources) {
            this.sources = sources;
            return this;
        }

        /**
         * The SELinux context of the file systems made for the container alone ({@link
         * MountCalls#labelled}), or null (the default) for none.
         */
        Builder mountLabel(String mountLabel) {
            this.mountLabel = mountLabel;
            return this;
        }

        /**
         * The steps; throws {@link IllegalArgumentException} naming the bad value for a missing
         * root or volume source or a refused target, before anything is created.
         */
        FilesystemPlan plan() {
            return FilesystemPlan.plan(this);
        }
    }

    private static FilesystemPlan plan(Builder request) {
        Filesystem filesystem = request.filesystem;
        Neighbours neighbours = request.neighbours;
        boolean maskPaths = request.maskPaths;
        KernelPaths kernelPaths = request.kernelPaths;
        List<ContainerBind> requested = request.requested;
        BindSources sources = request.sources;
        RootLayout root;
        if (filesystem.rootfs().isPresent()) {
            root = DirectoryRoot.of(filesystem.rootfs().get(), filesystem.readOnly());
        } else if (!filesystem.layers().isEmpty()) {
            root = OverlayRoot.of(
                    filesystem.layers(),
                    filesystem.writableLayer().orElseThrow(),
                    filesystem.readOnly(),
                    filesystem.keepWritableLayerWhile().orElse(null),
                    sources.forLayers(),
                    neighbours.userNamespace());
        } else {
            root = SandboxRoot.ofHost();
        }
        try {
            PlannedSteps steps = new PlannedSteps();
            MountCalls calls = new MountCalls(root.hostPath(), request.mountLabel);
            ContainerTree tree = root.mount(steps, calls);
            // until the pivot, the setup's lookups in the root follow no link (see MountCalls#followNoLinks)
            steps.add(Phase.FILESYSTEM, calls.followNoLinks("", "/", true, 0));
            KernelMounts kernel = new KernelMounts(steps, calls, tree);
            kernel.proc();
            kernel.dev(
                    DeviceNodes.forContainer(neighbours.userNamespace()),
                    neighbours.ipcNamespace(),
                    filesystem.tmpfs().stream()
                            .anyMatch(t -> t.target().replaceAll("/+$", "").equals("/dev/shm")));
            kernel.sys(neighbours);
            List<String> masked = kernelPaths == null ? Lockdown.MASKED : kernelPaths.masked();
            if (maskPaths) {
                Lockdown.maskKernelPaths(steps, calls, masked);
            }
            List<ContainerBind> binds = requested;
            if (root instanceof SandboxRoot) {
                binds = requested.stream().filter(bind -> present(tree, bind)).toList();
            }
            UserMounts mounts = new UserMounts(steps, calls, tree, sources);
            mounts.add(filesystem, binds);
            if (neighbours.userNamespace()
                    && !mounts.idmapped().isEmpty()
                    && !HostIdentity.current().isRoot()) {
                throw new IllegalArgumentException(
                        "volume source \"" + mounts.idmapped().get(0) + "\": option idmap needs isola"
                                + " run as root (an idmapped mount needs CAP_SYS_ADMIN over the host's file system); a rootless"
                                + " container's root is your own uid, which owns your files already: drop idmap");
            }
            if (maskPaths) {
                requireOwnDevNull(masked, mounts);
            }
            sources.stageInChild(steps);
            steps.add(Phase.PIVOT, calls.followLinksAgain());
            Lockdown.pivot(steps, root.hostPath());
            Lockdown.lock(
                    steps,
                    calls.inside(),
                    root.readOnly() || filesystem.readOnly(),
                    maskPaths,
                    masked,
                    kernelPaths == null ? Lockdown.READ_ONLY : kernelPaths.readOnly());
            root.prepareHost(); // only once every check has passed
            sources.prepareHost();
            return new FilesystemPlan(steps, root, sources, mounts);
        } catch (RuntimeException e) {
            root.release();
            throw e;
        }
    }

    /**
     * A masked path outside proc and sysfs is masked last, from the container's /dev/null: refused
     * when a volume or tmpfs mount replaces that, whose content the runtime does not decide (a link
     * there would turn the mask into a writable bind of what it names, runc's CVE-2025-31133).
     */
    private static void requireOwnDevNull(List<String> masked, UserMounts mounts) {
        String late = masked.stream()
                .filter(path -> !Lockdown.maskedEarly(path))
                .findFirst()
                .orElse(null);
        String cover = mounts.covering("/dev/null");
        if (late != null && cover != null) {
            throw new IllegalArgumentException("masked path \"" + late + "\": its mask is a bind of the container's"
                    + " /dev/null, which the mount on " + cover + " replaces; expected masked paths below /proc"
                    + " or /sys only, or no mount on /dev or /dev/null");
        }
    }

    /** Whether the sandbox has {@code bind}'s target, or can make it: below /dev, the container's own tmpfs (a device). */
    private static boolean present(ContainerTree tree, ContainerBind bind) {
        boolean present = bind.target().startsWith("/dev/")
                || tree.resolve(bind.what() + " target", bind.target()).last() != Entry.MISSING;
        if (!present) {
            LOG.debug("{}: the host has no {} to bind it on in the sandbox", bind.what(), bind.target());
        }
        return present;
    }
}
