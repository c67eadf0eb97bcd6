package io.isola.spi.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The subtree a user may make cgroups in, found in a fake cgroup2 tree laid out as systemd delegates one. */
class CgroupDelegationTest {

    private static final int USER = 1001;
    private static final String SERVICE = "/user.slice/user-1001.slice/user@1001.service";

    @TempDir
    Path root;

    private Path hierarchy;

    @BeforeEach
    void tree() throws IOException {
        assumeTrue(HostIdentity.current().isRoot(), "root is needed to give the fake tree's files to another uid");
        hierarchy = Files.createDirectories(root.resolve("sys/fs/cgroup"));
        Files.writeString(root.resolve("mountinfo"), "30 1 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
        Files.writeString(root.resolve("cgroup"), "0::" + SERVICE + "/app.slice/shell.scope\n");
        Path service = Files.createDirectories(hierarchy.resolve(SERVICE.substring(1) + "/app.slice/shell.scope"))
                .getParent()
                .getParent();
        Files.writeString(service.resolve("cgroup.controllers"), "cpu memory pids\n");
        // systemd's Delegate=yes: the unit's directory and the files that let its user manage the subtree
        for (Path path : List.of(service, service.resolve("app.slice"), service.resolve("app.slice/shell.scope"))) {
            give(path);
            give(Files.createFile(path.resolve("cgroup.procs")));
            give(Files.createFile(path.resolve("cgroup.subtree_control")));
        }
    }

    private static void give(Path path) throws IOException {
        Files.setAttribute(path, "unix:uid", USER, LinkOption.NOFOLLOW_LINKS);
    }

    private Optional<CgroupDelegation> find() {
        return CgroupDelegation.find(USER, root.resolve("mountinfo"), root.resolve("cgroup"), root);
    }

    @Test
    void theHighestOfTheUsersAncestorsIsTheSubtree() {
        CgroupDelegation found = find().orElseThrow();
        assertEquals(SERVICE, found.path());
        assertEquals(hierarchy.resolve(SERVICE.substring(1)), found.directory());
        assertEquals(List.of("cpu", "memory", "pids"), found.controllers());
    }

    /** A directory is not a delegation without the files the kernel checks when a user moves processes and enables controllers. */
    @Test
    void aDirectoryWhoseProcsFileIsRootsIsNone() throws IOException {
        for (String dir : List.of("", "/app.slice", "/app.slice/shell.scope")) {
            Files.setAttribute(hierarchy.resolve(SERVICE.substring(1) + dir + "/cgroup.procs"), "unix:uid", 0);
        }
        assertEquals(Optional.empty(), find());
    }

    @Test
    void anotherUsersSubtreeIsNone() {
        assertEquals(
                Optional.empty(),
                CgroupDelegation.find(USER + 1, root.resolve("mountinfo"), root.resolve("cgroup"), root));
    }
}
