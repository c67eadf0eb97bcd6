package io.isola.ns.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads this process's mount table. */
final class Mounts {

    private Mounts() {}

    /** Whether {@code path} is a mount point here (a pinned namespace file is one). */
    static boolean isMountPoint(Path path) {
        String target = path.toAbsolutePath().normalize().toString();
        try {
            // mountinfo field 5 is the mount point, with spaces and such octal-escaped
            return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .map(line -> line.split(" "))
                    .anyMatch(f -> f.length > 4 && f[4].replace("\\040", " ").equals(target));
        } catch (IOException e) {
            return false;
        }
    }
}
