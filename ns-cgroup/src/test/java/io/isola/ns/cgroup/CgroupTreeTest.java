package io.isola.ns.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.security.auth.module.UnixSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Someone removes a shared parent cgroup while a container's is being created: creation starts
 * again, also when the parent goes between its mkdir and a write into it, or after it was
 * remembered as ready.
 */
class CgroupTreeTest {

    private Path root;

    @BeforeEach
    void setUp() throws Exception {
        Assumptions.assumeTrue(new UnixSystem().getUid() == 0, "needs root");
        var unified = CgroupMounts.ofThisProcess().hierarchies().stream()
                .filter(Hierarchy::unified)
                .findFirst();
        Assumptions.assumeTrue(unified.isPresent(), "no cgroup2 hierarchy");
        root = unified.get().mountPoint();
    }

    @AfterEach
    void tearDown() throws Exception {
        CgroupTree.remove(root, CgroupTesting.PARENT + "/tree-test");
        assertEquals(List.of(), CgroupTesting.leftovers(CgroupTesting.PARENT));
    }

    @Test
    void aParentRemovedUnderAWriteIsMadeAgain() throws Exception {
        int[] calls = {0};
        Path leaf = CgroupTree.create(
                root, CgroupTesting.PARENT + "/tree-test", new CgroupTree.Parents(), (dir, parent, isLeaf) -> {
                    if (!isLeaf && calls[0]++ == 0) {
                        Files.delete(dir); // the other container's rmdir, between our mkdir and our write
                    }
                    CgroupFiles.write(dir.resolve("cgroup.max.depth"), "max");
                });
        assertTrue(Files.isDirectory(leaf));
        assertTrue(calls[0] > 1, "the parent was not made again");
    }

    @Test
    void aRememberedParentThatSomeoneRemovedIsMadeAgain() throws Exception {
        CgroupTree.Parents parents = new CgroupTree.Parents();
        List<Path> initialised = new ArrayList<>();
        CgroupTree.Initializer init = (dir, parent, isLeaf) -> initialised.add(dir);
        Path leaf = CgroupTree.create(root, CgroupTesting.PARENT + "/tree-test", parents, init);
        assertTrue(CgroupTree.remove(root, CgroupTesting.PARENT + "/tree-test"));
        assertTrue(Files.isDirectory(leaf.getParent()), "the parent is kept");
        CgroupTree.create(root, CgroupTesting.PARENT + "/tree-test", parents, init);
        assertEquals(
                List.of(leaf.getParent(), leaf, leaf), initialised, "a parent known ready is not initialised again");
        CgroupTree.remove(root, CgroupTesting.PARENT + "/tree-test");
        Files.delete(leaf.getParent()); // what an administrator, or an isola of before, does
        initialised.clear();
        assertEquals(leaf, CgroupTree.create(root, CgroupTesting.PARENT + "/tree-test", parents, init));
        assertEquals(List.of(leaf.getParent(), leaf), initialised);
    }
}
