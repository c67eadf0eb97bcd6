package io.isola.launcher.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The refusal of limits for a user other than root says what this host lacks and what the user needs. */
class RootlessLimitsTest {

    private static final String NEEDS =
            "as uid 1001 (rootless) limits need a cgroup v2 subtree that root delegated to you,"
                    + " with the memory, pids and cpu controllers on cgroup v2 (systemd's user@1001.service with Delegate=yes, as"
                    + " rootless podman needs; by hand: chown 1001 a cgroup directory, its cgroup.procs and cgroup.subtree_control,"
                    + " and run isola from a cgroup below it)";

    @TempDir
    Path root;

    private Path proc(String mountinfo, String cgroup) throws IOException {
        Files.writeString(root.resolve("mountinfo"), mountinfo);
        Files.writeString(root.resolve("cgroup"), cgroup);
        return root;
    }

    /** This project's hosts: hybrid, the v2 hierarchy with hugetlb only, the user's cgroup root's. */
    @Test
    void aHybridHostWithoutControllersOnV2IsNamed() throws IOException {
        Path unified = Files.createDirectories(root.resolve("sys/fs/cgroup/unified"));
        Files.writeString(unified.resolve("cgroup.controllers"), "hugetlb\n");
        proc(
                "35 30 0:30 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
                        + "40 30 0:35 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n",
                "4:memory:/\n0::/\n");
        long owner = (Integer) Files.getAttribute(unified, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        assertEquals(
                NEEDS + "; on this host the cgroup2 hierarchy at /sys/fs/cgroup/unified has only hugetlb (the others"
                        + " are bound to cgroup v1, which cannot be delegated: boot with systemd.unified_cgroup_hierarchy=1 or"
                        + " cgroup_no_v1=all), and your cgroup there, /, belongs to uid " + owner
                        + ". Run as root for limits",
                RootlessLimits.why(1001, root.resolve("mountinfo"), root.resolve("cgroup"), root));
    }

    /** A pure v2 host whose user cgroup is the user's but not its files: the files to delegate are named. */
    @Test
    void aCgroupDirectoryWithoutItsFilesIsNoDelegation() throws IOException {
        Path mine = Files.createDirectories(root.resolve("sys/fs/cgroup/user.slice/user-1001.slice/user@1001.service"));
        Files.writeString(root.resolve("sys/fs/cgroup/cgroup.controllers"), "cpuset cpu io memory pids\n");
        proc(
                "30 1 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
                "0::/user.slice/user-1001.slice/user@1001.service\n");
        long me = (Integer) Files.getAttribute(mine, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        String why = RootlessLimits.why(me, root.resolve("mountinfo"), root.resolve("cgroup"), root);
        assertEquals(
                "; on this host the cgroup2 hierarchy at /sys/fs/cgroup has cpuset, cpu, io, memory, pids,"
                        + " and your cgroup there, /user.slice/user-1001.slice/user@1001.service, is yours, but not its"
                        + " cgroup.procs and cgroup.subtree_control. Run as root for limits",
                why.substring(why.indexOf("; on this host")));
    }

    @Test
    void noCgroup2AtAll() throws IOException {
        proc("35 30 0:30 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n", "4:memory:/\n");
        assertEquals(
                NEEDS + "; this host has no cgroup2 hierarchy mounted. Run as root for limits",
                RootlessLimits.why(1001, root.resolve("mountinfo"), root.resolve("cgroup"), root));
    }
}
