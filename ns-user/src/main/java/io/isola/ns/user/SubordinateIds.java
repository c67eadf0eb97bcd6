package io.isola.ns.user;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The ranges of {@code /etc/subuid} or {@code /etc/subgid} ({@code NAME_OR_ID:START:COUNT} lines):
 * the host ids a user may map into user namespaces through newuidmap and newgidmap.
 */
record SubordinateIds(List<Entry> entries) {

    /** One line: {@code owner} is a user name or a numeric uid, as shadow's tools accept both. */
    record Entry(String owner, long start, long count) {
        long end() {
            return start + count;
        }

        @Override
        public String toString() {
            return start + "-" + (end() - 1);
        }
    }

    static SubordinateIds read(Path file) {
        try {
            return parse(Files.readAllLines(file));
        } catch (NoSuchFileException missing) {
            return new SubordinateIds(List.of());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Lines that are not {@code owner:start:count} are skipped, as shadow's tools skip them. */
    static SubordinateIds parse(List<String> lines) {
        List<Entry> entries = new ArrayList<>();
        for (String line : lines) {
            String[] parts = line.trim().split(":");
            if (parts.length != 3 || parts[0].isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                long start = Long.parseLong(parts[1]), count = Long.parseLong(parts[2]);
                if (start >= 0 && count > 0) {
                    entries.add(new Entry(parts[0], start, count));
                }
            } catch (NumberFormatException e) {
                // not a range line
            }
        }
        return new SubordinateIds(List.copyOf(entries));
    }

    /** The ranges of the user called {@code name} or with uid {@code uid}, in file order. */
    List<Entry> of(String name, long uid) {
        return entries.stream()
                .filter(e -> e.owner().equals(name) || e.owner().equals(Long.toString(uid)))
                .toList();
    }
}
