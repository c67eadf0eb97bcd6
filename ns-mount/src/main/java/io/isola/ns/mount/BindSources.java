package io.isola.ns.mount;

import io.isola.spi.ClonedChild;
import io.isola.spi.Phase;
import io.isola.spi.StagedBinds;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How the child names the host source of a bind mount (a volume, another isolator's file). Without
 * a user namespace it is the source's path. In one, the child's root is an unprivileged host uid,
 * which may not search the directories above the source (isola's state, 0700, holds the network's
 * /etc files; a volume may sit below /root): so the host binds each source below a staging
 * directory in the child's mount namespace before the child looks ({@link StagedBinds}), and the
 * child binds it from there. Only host root can do that. A rootless user's host process cannot
 * enter the child's mount namespace, and the child's root may be a subordinate uid that cannot
 * search the user's private runtime directory (which holds the network's /etc files): there the
 * child itself changes into that directory while it still has the user's credentials ({@link
 * Phase#ENTRY}), and names the sources in it relative to it; the directory itself must let the
 * container's root search it (its parents need not).
 */
final class BindSources {

    /** Null when sources are named by their paths. */
    private final Path staging;
    /** The directory the child enters before it takes the container's ids; null when none. */
    private final Path entered;
    private final List<Path> sources = new ArrayList<>();

    private BindSources(Path staging, Path entered) {
        this.staging = staging;
        this.entered = entered;
    }

    /** Sources named by their paths: the child may search whatever the host may. */
    static BindSources byPath() {
        return new BindSources(null, null);
    }

    /** Sources staged on {@code staging} by the host, for a child in a user namespace. */
    static BindSources staged(Path staging) {
        return new BindSources(staging, null);
    }

    /**
     * Sources in {@code dir} (a real path) named relative to it, by a child that enters it with
     * the host user's credentials; others by their paths.
     */
    static BindSources entering(Path dir) {
        return new BindSources(null, dir);
    }

    /** The child's step that enters the directory, before it takes the container's ids. */
    void enter(PlannedSteps steps) {
        if (entered != null) {
            steps.add(Phase.ENTRY, MountCalls.chdir("enter " + entered + " with the host user's credentials, to bind"
                    + " the files in it", entered.toString()));
        }
    }

    /** Whether the host stages the sources, so that the child reaches them whatever the directories above them allow. */
    boolean stages() {
        return staging != null;
    }

    /** The source as the child's bind step (or an overlay's option) names it. */
    String childPath(Path source) {
        if (entered != null && entered.equals(source.getParent())) {
            return source.getFileName().toString();
        }
        if (staging == null) {
            return source.toString();
        }
        sources.add(source);
        return StagedBinds.staged(staging, sources.size() - 1).toString();
    }

    /** Creates the staging directory on the host, once the plan stands. */
    void prepareHost() {
        if (staging != null && !sources.isEmpty()) {
            HostMountPoints.create(staging, "staging directory of bind mounts");
        }
    }

    /** Stages the sources in {@code child}'s mount namespace, while it waits before its filesystem phase. */
    void stage(ClonedChild child) throws IOException {
        if (staging != null) {
            StagedBinds.mount(child, staging, sources);
        }
    }
}
