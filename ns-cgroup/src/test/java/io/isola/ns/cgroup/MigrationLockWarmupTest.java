package io.isola.ns.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.security.auth.module.UnixSystem;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The warm-up moves a thread where it already is: no thread of this process changes cgroup, and nothing is left. */
class MigrationLockWarmupTest {

    private List<Hierarchy> hierarchies;

    @BeforeEach
    void setUp() {
        assumeTrue(new UnixSystem().getUid() == 0, "needs root");
        hierarchies = CgroupMounts.ofThisProcess().hierarchies();
        assumeTrue(!hierarchies.isEmpty(), "no cgroup hierarchy mounted");
    }

    @Test
    void everyHierarchyIsWarmedInPlaceAndNoThreadMoves() throws Exception {
        String before = threadCgroups();
        for (Hierarchy h : hierarchies) {
            assertTrue(new MigrationLockWarmup(h).moveInPlace(), "warmed up on " + h.mountPoint());
        }
        MigrationLockWarmup background = MigrationLockWarmup.of(hierarchies).orElseThrow();
        Thread thread = background.start().orElseThrow();
        thread.join(60_000);
        assertFalse(thread.isAlive());
        assertEquals(before, threadCgroups(), "every thread in the cgroups it was in");
    }

    @Test
    void aMountRootedElsewhereIsLeftAlone() throws Exception {
        Hierarchy h = hierarchies.get(0);
        // a cgroup this thread is not in, where the path of its own would lead under a mount of another root
        Path other = Files.createDirectory(h.mountPoint()
                .resolve("isola-test-warmup-" + ProcessHandle.current().pid()));
        try {
            Path fakeMount = other;
            for (String line : Files.readAllLines(Path.of("/proc/thread-self/cgroup"))) {
                String[] f = line.split(":", 3);
                boolean mine = h.unified()
                        ? f[0].equals("0")
                        : !f[1].isEmpty() && List.of(f[1].split(",")).containsAll(h.controllers());
                if (mine && !f[2].equals("/")) {
                    Files.createDirectories(fakeMount.resolve(f[2].substring(1)));
                }
            }
            String before = threadCgroups();
            assertFalse(new MigrationLockWarmup(new Hierarchy(fakeMount, h.unified(), h.controllers(), h.mountData()))
                    .moveInPlace());
            assertEquals(before, threadCgroups());
        } finally {
            try (Stream<Path> walk = Files.walk(other)) {
                for (Path dir : walk.filter(Files::isDirectory)
                        .sorted(Comparator.reverseOrder())
                        .toList()) {
                    Files.delete(dir);
                }
            }
        }
    }

    /** Every thread of this process with its cgroups, as one text. */
    private static String threadCgroups() throws Exception {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.sorted().toList()) {
                try {
                    all.append(Set.copyOf(Files.readAllLines(task.resolve("cgroup"))))
                            .append('\n');
                } catch (NoSuchFileException ended) {
                    // a thread that ended meanwhile
                }
            }
        }
        // threads come and go (the warm-up's own): what counts is that every one lists the same cgroups
        return all.toString().lines().distinct().sorted().toList().toString();
    }
}
