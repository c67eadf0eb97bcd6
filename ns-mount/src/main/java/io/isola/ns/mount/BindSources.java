package io.isola.ns.mount;

import io.isola.spi.Arg;
import io.isola.spi.ClonedChild;
import io.isola.spi.LibcCall;
import io.isola.spi.Phase;
import io.isola.spi.Step;
import io.isola.spi.Steps;
import io.isola.spi.support.FileModes;
import io.isola.spi.support.StagedBinds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How the child names the host source of a bind mount (a volume, another isolator's file). Without
 * a user namespace it is the source's path. In one, the child's root is an unprivileged host uid,
 * which may not search the directories above the source (isola's state, 0700, holds the network's
 * /etc files; a volume may sit below /root or a user's 0700 home): so each source is bound below a
 * staging directory in the child's mount namespace before the child takes its ids, and the child
 * binds it from there. Host root does that from the host ({@link StagedBinds}). A rootless user's
 * host process cannot enter the child's mount namespace: there the child itself binds the sources
 * in {@link Phase#ENTRY}, while it still has the user's credentials (and, as root of its new user
 * namespace, the right to mount in its own mount namespace), as runc and crun open mount sources
 * before the container's ids apply. Whatever the user can reach, a subordinate root then can too.
 * Image layers are not staged that way: the child's root must own what the overlay writes.
 */
final class BindSources {

    private enum Staging {
        NONE,
        BY_HOST,
        BY_CHILD
    }

    private final Staging staging;
    /** Null when sources are named by their paths. */
    private final Path dir;

    private final List<Path> sources = new ArrayList<>();
    private final List<Boolean> directories = new ArrayList<>();

    private BindSources(Staging staging, Path dir) {
        this.staging = staging;
        this.dir = dir;
    }

    /** Sources named by their paths: the child may search whatever the host may. */
    static BindSources byPath() {
        return new BindSources(Staging.NONE, null);
    }

    /** Sources staged on {@code staging} by the host, for a child in a user namespace. */
    static BindSources staged(Path staging) {
        return new BindSources(Staging.BY_HOST, staging);
    }

    /** Sources staged on {@code staging} by a rootless user's child, with the user's credentials. */
    static BindSources stagedByChild(Path staging) {
        return new BindSources(Staging.BY_CHILD, staging);
    }

    /** How the child reaches image layers: staged by the host, else by their paths. */
    BindSources forLayers() {
        return staging == Staging.BY_CHILD ? byPath() : this;
    }

    /** Whether the host stages the sources, so that the child reaches them whatever the directories above them allow. */
    boolean stages() {
        return staging == Staging.BY_HOST;
    }

    /** The source as the child's bind step (or an overlay's option) names it. */
    String childPath(Path source) {
        if (staging == Staging.NONE) {
            return source.toString();
        }
        sources.add(source);
        boolean directory = Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS);
        directories.add(directory);
        return staging == Staging.BY_HOST
                ? StagedBinds.staged(dir, sources.size() - 1).toString()
                : childStaged(sources.size() - 1).toString();
    }

    /** A mount point per kind, so that containers with a file and a directory at one index share them. */
    private Path childStaged(int index) {
        return dir.resolve((directories.get(index) ? "dir-" : "file-") + index);
    }

    /**
     * The child's steps that stage the sources, before it takes the container's ids; after every
     * {@link #childPath}. The mount namespace is made private first: the binds are the child's only.
     */
    void stageInChild(PlannedSteps steps) {
        if (staging != Staging.BY_CHILD || sources.isEmpty()) {
            return;
        }
        steps.add(
                Phase.ENTRY,
                Steps.mount(
                        "make / recursively private before staging the binds",
                        null,
                        "/",
                        null,
                        Steps.MS_REC | Steps.MS_PRIVATE,
                        null));
        for (int i = 0; i < sources.size(); i++) {
            String point = childStaged(i).toString();
            steps.add(
                    Phase.ENTRY,
                    directories.get(i)
                            ? Steps.mkdir(point, 0755).tolerating("EEXIST")
                            : Step.call(
                                            "create file " + point,
                                            LibcCall.MKNOD,
                                            Arg.text(point),
                                            Arg.word(FileModes.S_IFREG | 0644),
                                            Arg.word(0))
                                    .tolerating("EEXIST"));
            steps.add(
                    Phase.ENTRY,
                    Steps.mount(
                            "stage " + sources.get(i) + " with the host user's credentials",
                            sources.get(i).toString(),
                            point,
                            null,
                            Steps.MS_BIND | Steps.MS_REC,
                            null));
        }
    }

    /** Creates the staging directory on the host, once the plan stands. */
    void prepareHost() {
        if (staging != Staging.NONE && !sources.isEmpty()) {
            HostMountPoints.create(dir, "staging directory of bind mounts");
        }
    }

    /** Stages the sources in {@code child}'s mount namespace, while it waits before its filesystem phase. */
    void stage(ClonedChild child) throws IOException {
        if (staging == Staging.BY_HOST) {
            StagedBinds.mount(child, dir, sources);
        }
    }
}
