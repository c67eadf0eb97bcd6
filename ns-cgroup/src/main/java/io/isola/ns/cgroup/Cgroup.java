package io.isola.ns.cgroup;

import io.isola.api.ResourceStats;
import io.isola.api.Resources;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;

/** One container's cgroup, in every hierarchy its driver uses. */
interface Cgroup {

    /** The path relative to each hierarchy's root ({@code isola/abc}). */
    String path();

    /** Whether no process is left in it, in any hierarchy. */
    default boolean empty() {
        return CgroupReaper.pids(procsFiles()).isEmpty();
    }

    /** When it was created (its directory's modification time). */
    FileTime created() throws IOException;

    /** Its directory in each hierarchy, keyed by the hierarchy's name ({@code memory}, {@code cpu,cpuacct}, {@code unified}). */
    Map<String, String> dirs();

    /** Its cgroup.procs files, one per hierarchy. */
    List<Path> procsFiles();

    /** Moves process {@code pid} into the cgroup in every hierarchy. */
    void join(long pid) throws IOException;

    /** Freezes every process in the cgroup; returns once the kernel reports it frozen. */
    void freeze() throws IOException;

    void thaw() throws IOException;

    boolean frozen() throws IOException;

    ResourceStats stats() throws IOException;

    /** Writes the limits {@code resources} sets (the others are left as they are), to the running cgroup. */
    void update(Resources resources) throws IOException;

    /** How many times the kernel's OOM killer killed a process of this cgroup; 0 without a memory controller. */
    long oomKills() throws IOException;

    /**
     * Kills every process left in the cgroup, waits (bounded) until it is empty, and removes its
     * directories, and the parent's when they are empty. Safe to call more than once.
     *
     * @return whether every directory is gone
     */
    boolean destroy();
}
