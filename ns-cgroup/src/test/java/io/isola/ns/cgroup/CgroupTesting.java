package io.isola.ns.cgroup;

import io.isola.api.Isola;
import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;
import io.isola.testing.TestIsolator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Shared by the cgroup tests: runtimes with the cgroup isolator, and a look for leftovers. */
final class CgroupTesting {

    /** The parent the tests use, so they never mistake a real isola container's cgroup for a leftover. */
    static final String PARENT = "isola-test";

    private CgroupTesting() {}

    /** A runtime with the cgroup isolator (on the detected driver) and a plain mount namespace. */
    static Isola runtime() {
        return runtime(new CgroupIsolator(PARENT, null));
    }

    static Isola runtime(CgroupIsolator cgroups, NamespaceIsolator... more) {
        List<NamespaceIsolator> isolators =
                new ArrayList<>(List.of(cgroups, TestIsolator.plain("mount", Namespace.MOUNT)));
        isolators.addAll(List.of(more));
        return Isola.builder().isolators(isolators).build();
    }

    /**
     * What containers left under the parent {@code name} at the top of any mounted cgroup
     * hierarchy, v1 or v2: their cgroups, and the parent itself if a process is in it. The parent
     * is kept for the next container (as Docker keeps {@code docker}); once nothing is left, the
     * test's parent is removed, so that the next test starts as on a host that never ran one.
     */
    static List<Path> leftovers(String name) throws IOException {
        List<Path> found = new ArrayList<>();
        List<Path> parents = new ArrayList<>();
        for (Hierarchy h : CgroupMounts.ofThisProcess().hierarchies()) {
            Path dir = h.mountPoint().resolve(name);
            if (Files.exists(dir)) {
                parents.add(dir);
                try (Stream<Path> children = Files.list(dir)) {
                    children.filter(Files::isDirectory).forEach(found::add);
                }
                if (!read(dir.resolve("cgroup.procs")).isEmpty()) {
                    found.add(dir);
                }
            }
        }
        if (found.isEmpty()) {
            for (Path parent : parents) {
                Files.deleteIfExists(parent);
            }
        }
        return found;
    }

    /** The hierarchies in which the parent {@code name} exists. */
    static List<Hierarchy> hierarchiesWith(String name) {
        return CgroupMounts.ofThisProcess().hierarchies().stream()
                .filter(h -> Files.isDirectory(h.mountPoint().resolve(name)))
                .toList();
    }

    static String readQuietly(Path file) {
        try {
            return read(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path file) throws IOException {
        return Files.readString(file).trim();
    }
}
