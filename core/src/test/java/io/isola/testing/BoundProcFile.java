package io.isola.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A forged file bound over a file of the plain /proc (what a container given a shared bind of the
 * host's /proc can mount, CVE-2025-52881's class); closing unmounts it.
 */
public final class BoundProcFile implements AutoCloseable {

    private final Path target;

    private BoundProcFile(Path target) {
        this.target = target;
    }

    /** Binds a file holding {@code content}, written below {@code scratch}, over {@code target}. */
    public static BoundProcFile bind(Path target, String content, Path scratch)
            throws IOException, InterruptedException {
        Path fake = Files.writeString(Files.createTempFile(scratch, "forged", ""), content, StandardCharsets.US_ASCII);
        HostCommand.run("mount", "--bind", fake.toString(), target.toString());
        return new BoundProcFile(target);
    }

    /** {@code /proc/PID/stat}'s line with its 22nd field (starttime) replaced. */
    public static String statWithStartTime(long pid, long startTime) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
        int command = stat.lastIndexOf(')');
        String[] fields = stat.substring(command + 2).split(" ", -1); // from field 3, the state
        fields[22 - 3] = Long.toString(startTime);
        return stat.substring(0, command + 2) + String.join(" ", fields);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        new ProcessBuilder("umount", "-l", target.toString()).start().waitFor(10, TimeUnit.SECONDS);
    }
}
