package io.isola.ns.cgroup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which controllers this host has where: its v1 hierarchies and the cgroup2 hierarchy that
 * containers join, if any. Errors name it, so that a user sees why a setting cannot be applied.
 *
 * @param v1 the mounted v1 hierarchies (none on a pure v2 host)
 * @param v2Root the cgroup2 hierarchy's root (a hybrid host's /sys/fs/cgroup/unified)
 * @param v2Controllers what that hierarchy offers, in the kernel's order
 */
record HostLayout(List<Hierarchy> v1, Optional<Path> v2Root, Set<String> v2Controllers) implements TuningFiles.Places {

    HostLayout {
        v1 = List.copyOf(v1);
        v2Controllers = Collections.unmodifiableSet(new LinkedHashSet<>(v2Controllers));
    }

    /** The controllers {@code root}'s cgroup.controllers lists; none where it cannot be read. */
    static Set<String> controllersOf(Path root) {
        try {
            Set<String> found = new LinkedHashSet<>(
                    List.of(CgroupFiles.read(root.resolve("cgroup.controllers")).split("\\s+")));
            found.remove("");
            return found;
        } catch (IOException e) {
            return Set.of();
        }
    }

    @Override
    public Optional<Path> v1Root(String controller) {
        return v1.stream()
                .filter(h -> h.has(controller))
                .map(Hierarchy::mountPoint)
                .findFirst();
    }

    @Override
    public boolean hasV1() {
        return !v1.isEmpty();
    }

    @Override
    public String layout() {
        Set<String> controllers = new TreeSet<>();
        v1.forEach(h ->
                h.controllers().stream().filter(c -> !c.startsWith("name=")).forEach(controllers::add));
        String v2 = v2Root.map(root -> "cgroup2 at " + root + " with "
                        + (v2Controllers.isEmpty() ? "no controllers" : String.join(" ", v2Controllers)))
                .orElse("");
        if (v1.isEmpty()) {
            return "cgroup v2 only (" + v2 + ")";
        }
        String legacy = "cgroup v1 hierarchies for " + String.join(" ", controllers);
        return v2.isEmpty() ? legacy : "hybrid (" + legacy + "; " + v2 + ")";
    }
}
