package io.isola.ns.cgroup;

import io.isola.api.CgroupLocation;
import io.isola.api.IsolaException;
import io.isola.api.ResourceControl;
import io.isola.api.ResourceStats;
import io.isola.api.Resources;
import java.io.IOException;
import java.util.Optional;

/**
 * The {@link ResourceControl} over one container's cgroup: for the container this runtime started
 * ({@link CgroupIsolation}, which ends it at close) and for one that another process started and
 * that a later command reaches by id ({@link CgroupIsolator#attach}). It never removes the cgroup.
 */
class CgroupControl implements ResourceControl {

    private final String containerId;
    private final String driver;
    final Cgroup cgroup;
    private boolean ended;
    private Boolean finalOomKilled;

    CgroupControl(String containerId, String driver, Cgroup cgroup) {
        this.containerId = containerId;
        this.driver = driver;
        this.cgroup = cgroup;
    }

    /** From now on the cgroup may be gone: the verbs that need it refuse, oomKilled keeps {@code oomKilled}. */
    synchronized void ended(boolean oomKilled) {
        ended = true;
        finalOomKilled = oomKilled;
    }

    synchronized boolean isEnded() {
        return ended;
    }

    String containerId() {
        return containerId;
    }

    @Override
    public synchronized void pause() {
        running("pause");
        try {
            cgroup.freeze();
        } catch (IOException e) {
            throw new IsolaException("cannot pause container " + containerId + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void resume() {
        running("resume");
        try {
            cgroup.thaw();
        } catch (IOException e) {
            throw new IsolaException("cannot resume container " + containerId + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized boolean paused() {
        if (ended) {
            return false;
        }
        try {
            return cgroup.frozen();
        } catch (IOException e) {
            throw new IsolaException(
                    "cannot read the freezer state of container " + containerId + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void update(Resources resources) {
        running("update");
        try {
            cgroup.update(resources);
        } catch (IOException e) {
            throw new IsolaException("cannot update container " + containerId + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized ResourceStats stats() {
        running("read the stats of");
        try {
            return cgroup.stats();
        } catch (IOException e) {
            throw new IsolaException("cannot read the stats of container " + containerId + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized boolean oomKilled() {
        if (ended) {
            return finalOomKilled;
        }
        try {
            return cgroup.oomKills() > 0;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public Optional<CgroupLocation> location() {
        return Optional.of(new CgroupLocation(driver, cgroup.path(), cgroup.dirs()));
    }

    private void running(String action) {
        if (ended) {
            throw new IsolaException("cannot " + action + " container " + containerId + ": it has ended");
        }
    }
}
