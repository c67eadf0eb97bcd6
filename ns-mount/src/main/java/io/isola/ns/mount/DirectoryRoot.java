package io.isola.ns.mount;

import io.isola.spi.ClonedChild;
import io.isola.spi.Phase;
import io.isola.spi.Steps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A host directory as the container's root ({@code --rootfs DIR}), bound onto itself so that it is
 * a mount point pivot_root accepts. The mount points the child creates in it for volumes stay, as
 * with runc; those it creates for other isolators' requests (the network's /etc files) are removed
 * again once no container of the host uses it ({@link RootfsPlaceholders}), so that a run leaves
 * the directory as it found it.
 */
final class DirectoryRoot implements RootLayout {

    private final Path directory;
    private final boolean readOnly;
    private final RootfsPlaceholders placeholders;
    private ContainerTree tree;

    private DirectoryRoot(Path directory, boolean readOnly) {
        this.directory = directory;
        this.readOnly = readOnly;
        // before anything is looked up in it: a placeholder seen there stays until this is released
        this.placeholders = RootfsPlaceholders.use(directory);
    }

    /** Checks that {@code rootfs} is a directory other than the host's root. */
    static DirectoryRoot of(String rootfs, boolean readOnly) {
        Path real;
        try {
            real = Path.of(rootfs).toRealPath();
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("root file system \"" + rootfs + "\": no such directory");
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "root file system \"" + rootfs + "\": cannot be read (" + e.getMessage() + ")");
        }
        if (!Files.isDirectory(real)) {
            throw new IllegalArgumentException("root file system \"" + rootfs + "\": not a directory");
        }
        if (real.getParent() == null) {
            throw new IllegalArgumentException("root file system \"" + rootfs
                    + "\": the host's own root; leave the root file system out to see the host's files read-only");
        }
        return new DirectoryRoot(real, readOnly);
    }

    @Override
    public String hostPath() {
        return directory.toString();
    }

    @Override
    public ContainerTree mount(PlannedSteps steps, MountCalls calls) {
        // recursive, as runc: mounts the host has below the directory belong to the image
        steps.add(
                Phase.FILESYSTEM,
                Steps.mount(
                        "bind the root file system " + directory + " onto itself",
                        directory.toString(),
                        directory.toString(),
                        null,
                        Steps.MS_BIND | Steps.MS_REC,
                        null));
        // if that bind failed, later mkdirs would write into the directory below no mount of ours
        steps.checkpoint(Phase.FILESYSTEM, "the root file system is mounted");
        tree = new ContainerTree(Backing.host(directory));
        return tree;
    }

    @Override
    public void prepareHost() {
        placeholders.willCreate(tree.createdInRoot());
    }

    @Override
    public void release() {
        placeholders.release();
    }

    @Override
    public void handOver() {
        placeholders.forget();
    }

    @Override
    public Map<Path, String> lookedUpByPath() {
        return Map.of(directory, "root file system");
    }

    /** Idmaps the directory over itself when its owner is not mapped; the bind onto itself then binds the idmapped view. */
    @Override
    public void mapOwners(ClonedChild child, RootOwnership ownership) throws Exception {
        ownership.idmap(child, ownership.unmapped(List.of(directory)), "root file system");
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }
}
