package io.isola.ns.mount;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The host's mount table, to show that containers leave nothing in it. */
final class HostMounts {

    private HostMounts() {}

    /**
     * This process's mountinfo lines without their mount ids (which the kernel reuses), leaving out
     * namespace handles (nsfs, as {@code ip netns add} makes), which tests of other modules may
     * create on this host meanwhile and which this isolator never makes.
     */
    static Set<String> snapshot() throws IOException {
        Set<String> entries = new LinkedHashSet<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] fields = line.split(" ");
            if (!line.contains(" - nsfs ")) {
                entries.add(String.join(" ", List.of(fields).subList(2, fields.length)));
            }
        }
        return entries;
    }

    /** What {@code after} has that {@code before} had not; empty when nothing was left behind. */
    static List<String> added(Set<String> before, Set<String> after) {
        List<String> added = new ArrayList<>(after);
        added.removeAll(before);
        return added;
    }
}
