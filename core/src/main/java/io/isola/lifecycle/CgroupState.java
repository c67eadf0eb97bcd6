package io.isola.lifecycle;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.isola.api.CgroupLocation;

/**
 * What the state keeps of a container's cgroup: where it is (so {@code pause}, {@code resume} and
 * {@code stats} reach it from a new process by id), whether it is paused, and whether the kernel
 * OOM-killed one of its processes (read by the monitor from the cgroup's counter before the cgroup
 * was removed).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CgroupState(CgroupLocation location, Boolean paused, Boolean oomKilled) {

    public CgroupState withPaused(boolean value) {
        return new CgroupState(location, value ? Boolean.TRUE : null, oomKilled);
    }

    public CgroupState withOomKilled(boolean value) {
        return new CgroupState(location, null, value ? Boolean.TRUE : null);
    }
}
