package io.isola.ns.mount;

import io.isola.lifecycle.ProcessIdentity;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The {@code owner} file of a writable layer, which lets a later process tell a layer in use from
 * one left behind by a host that was killed: "PID STARTTIME" of the process that mounted it, then
 * of the container's first process, then the path whose existence keeps the layer (see {@code
 * Filesystem.keepWritableLayerWhile}). A start time (field 22 of {@code /proc/PID/stat}) tells a
 * reused pid from the recorded process.
 */
final class LayerOwner {

    static final String FILE = "owner";

    private LayerOwner() {}

    /** Writes the file atomically; {@code containerPid} 0 before the clone. */
    static void write(Path layer, long containerPid, String keepWhile, java.util.List<Path> lowers) throws IOException {
        ProcessIdentity self = ProcessIdentity.self();
        String text = self.pid() + " " + self.startTime() + "\n"
                + (containerPid > 0
                        ? containerPid + " " + ProcessIdentity.of(containerPid).startTime()
                        : "0 0")
                + "\n"
                + (keepWhile == null ? "" : keepWhile) + "\n"
                + lowers.stream().map(lower -> lower + "\n").collect(java.util.stream.Collectors.joining());
        Path partial = layer.resolve(FILE + ".partial");
        Files.writeString(partial, text, StandardCharsets.UTF_8);
        Files.move(partial, layer.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Whether {@code layer} is one kept for {@code keepWhile} (line 3 of its owner file) that no
     * process uses now (its container's first process, line 2, is gone): a stopped container's
     * layer, which the same container takes up again when it is started again.
     */
    static boolean keptFor(Path layer, String keepWhile) {
        if (keepWhile == null
                || !Files.exists(Path.of(keepWhile))
                || Files.isSymbolicLink(layer)
                || !Files.isDirectory(layer.resolve("upper"), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(layer.resolve(FILE), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            String[] lines = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8).split("\n", -1);
            if (lines.length < 3 || !lines[2].equals(keepWhile)) {
                return false;
            }
            String[] container = lines[1].split(" ");
            long pid = Long.parseLong(container[0]);
            return !new ProcessIdentity(pid, Long.parseLong(container[1])).isAlive();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
