package io.isola.ns.user;

import io.isola.api.IdMapping;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a cloned child's {@code uid_map} and {@code gid_map} as its {@link MapPlan} says, while the
 * child waits at its identity checkpoint. The kernel takes each map in a single write, once.
 */
final class IdMapWriter {

    private static final Logger LOG = LoggerFactory.getLogger(IdMapWriter.class);
    private static final long HELPER_TIMEOUT_SECONDS = 10;

    private final Path proc;
    private final Helpers helpers;

    /** Where newuidmap and newgidmap are, if installed. */
    record Helpers(Path newuidmap, Path newgidmap) {
        static Helpers find() {
            return new Helpers(locate("newuidmap"), locate("newgidmap"));
        }

        boolean installed() {
            return newuidmap != null && newgidmap != null;
        }

        private static Path locate(String name) {
            List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
            dirs.addAll(List.of("/usr/bin", "/usr/sbin", "/bin", "/sbin"));
            return dirs.stream().filter(d -> !d.isEmpty()).map(d -> Path.of(d, name)).filter(Files::isExecutable)
                    .findFirst().orElse(null);
        }
    }

    IdMapWriter(Path proc, Helpers helpers) {
        this.proc = proc;
        this.helpers = helpers;
    }

    void write(MapPlan plan, long pid) throws IOException, InterruptedException {
        Path dir = proc.resolve(Long.toString(pid));
        switch (plan.writer()) {
            case DIRECT -> {
                writeMap(dir.resolve("uid_map"), plan.uids());
                writeMap(dir.resolve("gid_map"), plan.gids());
            }
            case SELF -> {
                // the kernel lets an unprivileged process write a gid map only after setgroups is denied
                writeFile(dir.resolve("setgroups"), "deny");
                writeMap(dir.resolve("uid_map"), plan.uids());
                writeMap(dir.resolve("gid_map"), plan.gids());
            }
            case HELPER -> {
                runHelper(helpers.newuidmap(), pid, plan.uids());
                runHelper(helpers.newgidmap(), pid, plan.gids());
            }
        }
        LOG.debug("wrote the id maps of {}: uid {} gid {} ({})", pid, plan.uids(), plan.gids(), plan.writer());
    }

    private static void writeMap(Path file, List<IdMapping> maps) throws IOException {
        writeFile(file, MapPlan.text(maps));
    }

    private static void writeFile(Path file, String text) throws IOException {
        try {
            Files.write(file, text.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new IOException("cannot write \"" + text.trim().replace('\n', ',') + "\" to " + file + ": " + e.getMessage(), e);
        }
    }

    private static void runHelper(Path helper, long pid, List<IdMapping> maps) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(helper.toString(), Long.toString(pid)));
        for (IdMapping m : maps) {
            command.addAll(List.of(Long.toString(m.containerId()), Long.toString(m.hostId()), Long.toString(m.length())));
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        process.getOutputStream().close();
        String output;
        try (InputStream in = process.getInputStream()) {
            output = new String(in.readNBytes(4096), StandardCharsets.UTF_8).trim();
        }
        if (!process.waitFor(HELPER_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IOException(helper + " did not finish within " + HELPER_TIMEOUT_SECONDS + " s");
        }
        if (process.exitValue() != 0) {
            throw new IOException(helper.getFileName() + " " + String.join(" ", command.subList(1, command.size()))
                    + " failed (exit " + process.exitValue() + "): " + output.replace('\n', ' '));
        }
    }
}
