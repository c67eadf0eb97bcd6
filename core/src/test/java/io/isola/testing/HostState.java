package io.isola.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Readings of this JVM and host that tests compare before and after. */
public final class HostState {

    private HostState() {}

    /** The inode of this process's namespace link, as in {@code ls -l /proc/self/ns}: "uts:[4026531838]". */
    public static String namespaceOf(String procName) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/self/ns", procName)).toString();
    }

    public static long threads() throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            return tasks.count();
        }
    }

    /** Whether a process with this pid exists (as anything but a zombie). */
    public static boolean alive(long pid) throws IOException {
        Path status = Path.of("/proc", Long.toString(pid), "status");
        try {
            return Files.readAllLines(status).stream()
                    .noneMatch(line -> line.startsWith("State:") && line.contains("Z"));
        } catch (java.nio.file.NoSuchFileException gone) {
            return false;
        }
    }
}
