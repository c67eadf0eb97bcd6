package io.isola.ns.mount;

import io.isola.spi.ClonedChild;
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
 * child binds it from there. Only host root can do that; a rootless user's child is the user, who
 * reaches what the user can.
 */
final class BindSources {

    /** Null when sources are named by their paths. */
    private final Path staging;
    private final List<Path> sources = new ArrayList<>();

    private BindSources(Path staging) {
        this.staging = staging;
    }

    /** Sources named by their paths: the child may search whatever the host may. */
    static BindSources byPath() {
        return new BindSources(null);
    }

    /** Sources staged on {@code staging} by the host, for a child in a user namespace. */
    static BindSources staged(Path staging) {
        return new BindSources(staging);
    }

    /** Whether the host stages the sources, so that the child reaches them whatever the directories above them allow. */
    boolean stages() {
        return staging != null;
    }

    /** The source as the child's bind step (or an overlay's option) names it. */
    String childPath(Path source) {
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
