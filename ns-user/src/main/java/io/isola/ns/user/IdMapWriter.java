package io.isola.ns.user;

import io.isola.api.IdMapping;
import io.isola.spi.ClonedChild;
import io.isola.spi.support.ChildProcFiles;
import java.io.File;
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
 * child waits at its identity checkpoint. The kernel takes each map in a single write, once; root
 * and a user mapping its own ids write them through the host's procfs handle ({@link
 * ChildProcFiles}), which no mount under /proc redirects.
 */
final class IdMapWriter {

    private static final Logger LOG = LoggerFactory.getLogger(IdMapWriter.class);
    private static final long HELPER_TIMEOUT_SECONDS = 10;

    private final Helpers helpers;
    private final ProcFiles files;

    /** Writes a file of a child's /proc/PID: {@link ChildProcFiles#write}, or a test's stand-in. */
    @FunctionalInterface
    interface ProcFiles {
        void write(ClonedChild child, String name, String text) throws IOException;
    }

    /** Where newuidmap and newgidmap are, if installed. */
    record Helpers(Path newuidmap, Path newgidmap) {
        static Helpers find() {
            return new Helpers(locate("newuidmap"), locate("newgidmap"));
        }

        boolean installed() {
            return newuidmap != null && newgidmap != null;
        }

        private static Path locate(String name) {
            List<String> dirs = new ArrayList<>(
                    List.of(System.getenv().getOrDefault("PATH", "").split(":")));
            dirs.addAll(List.of("/usr/bin", "/usr/sbin", "/bin", "/sbin"));
            return dirs.stream()
                    .filter(d -> !d.isEmpty())
                    .map(d -> Path.of(d, name))
                    .filter(Files::isExecutable)
                    .findFirst()
                    .orElse(null);
        }
    }

    IdMapWriter(Helpers helpers) {
        this(helpers, ChildProcFiles::write);
    }

    IdMapWriter(Helpers helpers, ProcFiles files) {
        this.helpers = helpers;
        this.files = files;
    }

    void write(MapPlan plan, ClonedChild child) throws IOException, InterruptedException {
        long pid = child.pid();
        switch (plan.writer()) {
            case DIRECT -> {
                files.write(child, "uid_map", MapPlan.text(plan.uids()));
                files.write(child, "gid_map", MapPlan.text(plan.gids()));
            }
            case SELF -> {
                // the kernel lets an unprivileged process write a gid map only after setgroups is denied
                files.write(child, "setgroups", "deny");
                files.write(child, "uid_map", MapPlan.text(plan.uids()));
                files.write(child, "gid_map", MapPlan.text(plan.gids()));
            }
            case HELPER -> {
                // the two maps are independent: the helpers run side by side (each costs a fork and
                // two execs from the JVM, the bulk of a rootless start)
                RunningHelper uids = RunningHelper.start(helpers.newuidmap(), pid, plan.uids());
                RunningHelper gids;
                try {
                    gids = RunningHelper.start(helpers.newgidmap(), pid, plan.gids());
                } catch (IOException e) {
                    uids.process().destroyForcibly().waitFor();
                    throw e;
                }
                try {
                    uids.await();
                } finally {
                    gids.await();
                }
            }
        }
        LOG.debug("wrote the id maps of {}: uid {} gid {} ({})", pid, plan.uids(), plan.gids(), plan.writer());
    }

    /** newuidmap or newgidmap, started; {@code command} names it in errors. */
    private record RunningHelper(Process process, String command) {

        static RunningHelper start(Path helper, long pid, List<IdMapping> maps) throws IOException {
            List<String> command = new ArrayList<>(List.of(helper.toString(), Long.toString(pid)));
            for (IdMapping m : maps) {
                command.addAll(
                        List.of(Long.toString(m.containerId()), Long.toString(m.hostId()), Long.toString(m.length())));
            }
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            return new RunningHelper(
                    process, helper.getFileName() + " " + String.join(" ", command.subList(1, command.size())));
        }

        void await() throws IOException, InterruptedException {
            // waited for before its output is read, so that a hanging helper cannot hang the start;
            // its few lines of output fit in the pipe
            if (!process.waitFor(HELPER_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new IOException(command + " did not finish within " + HELPER_TIMEOUT_SECONDS + " s");
            }
            String output;
            try (InputStream in = process.getInputStream()) {
                output = new String(in.readNBytes(4096), StandardCharsets.UTF_8).trim();
            }
            if (process.exitValue() != 0) {
                throw new IOException(
                        command + " failed (exit " + process.exitValue() + "): " + output.replace('\n', ' '));
            }
        }
    }
}
