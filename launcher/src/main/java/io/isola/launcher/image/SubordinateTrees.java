package io.isola.launcher.image;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.ExitStatus;
import io.isola.api.IdMapping;
import io.isola.api.Stdio;
import io.isola.api.UserNamespace;
import io.isola.launcher.IsolaRuntime;
import io.isola.spi.support.HostIdentity;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A rootless user's container writes files as its subordinate ids: a directory of uid 100999,
 * mode 0700, or overlayfs's {@code work/work} (mode 0), which the user's own process may neither
 * read nor remove. Podman works on them from inside the user namespace; so does isola: a JVM of
 * its own ({@link TreeTask}) runs as root of a new user namespace with the user's default
 * mapping (its own uid as 0, its /etc/subuid range above), where those files are the namespace's
 * own, and removes the tree or writes it as a tar to this process. The archive then holds the
 * owners as the container sees them (0 for the user's own files), as {@code podman export} does.
 * That JVM is a new process (execve of the java launcher by the container's child, never a copy
 * of this one), sharing every namespace but the user one.
 */
public final class SubordinateTrees {

    private static final Logger LOG = LoggerFactory.getLogger(SubordinateTrees.class);

    private SubordinateTrees() {}

    /** Whether this process works on container trees through a user namespace: when it is not root's. */
    public static boolean needed() {
        return !HostIdentity.current().isRoot();
    }

    /** Removes {@code tree}, whoever of the user's ids owns what is in it. */
    public static void remove(Path tree) throws IOException {
        run("remove", List.of(tree), List.of(), OutputStream.nullOutputStream());
    }

    /** Writes the tar of {@link ContainerFiles}'s {@code task} (changes, merged, directory) of {@code dirs} to {@code out}. */
    static void tar(String task, List<Path> dirs, OutputStream out) throws IOException {
        run(task, dirs, List.of(), out);
    }

    /**
     * Gives each entry of {@code tree} (the user's own new volume) the host ids that the
     * container's maps give its owner as the user's default mapping names it: the user's own
     * files, root's there, become the container root's ({@code uids}' and {@code gids}' host ids
     * must be the user's, as the user isolator checks), as podman chowns a new volume.
     */
    public static void shiftOwners(Path tree, List<IdMapping> uids, List<IdMapping> gids) throws IOException {
        run("shift", List.of(tree), List.of(TreeTask.maps(uids), TreeTask.maps(gids)), OutputStream.nullOutputStream());
    }

    private static void run(String task, List<Path> paths, List<String> options, OutputStream out) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                // the JVM's own warnings (unified logging writes them to stdout) must not enter the tar
                "-Xlog:disable",
                "-Xlog:all=warning:stderr",
                "-XX:-UsePerfData",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xshare:auto",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
        // this JVM's class-data archive (bin/isola's), made for this class path: the task starts faster
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(arg -> arg.startsWith("-XX:SharedArchiveFile="))
                .forEach(command::add);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), TreeTask.class.getName(), task));
        command.addAll(options);
        paths.forEach(path -> command.add(path.toAbsolutePath().toString()));
        ContainerSpec spec = ContainerSpec.builder(command)
                .isolators(Set.of("user"))
                .with(UserNamespace.defaultMapping())
                .env("PATH", "/usr/bin:/bin")
                .cwd("/")
                .stdin(Stdio.NULL)
                .stdout(Stdio.PIPE)
                .stderr(Stdio.PIPE)
                .build();
        LOG.debug("{} {} in a user namespace", task, paths);
        String failed;
        // the distribution's configuration, not a command line's --config: a helper of the runtime's,
        // not the command's container (a served command's is the server's warm framework)
        try (IsolaRuntime runtime = IsolaRuntime.withIsolators(null, Set.of("user"));
                Container helper = runtime.start(spec)) {
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(helper.stderr()));
            helper.stdout().transferTo(out);
            ExitStatus status = helper.waitFor();
            if (status.shellCode() == 0) {
                return;
            }
            failed = err.join().strip();
            failed = failed.isEmpty() ? "exit status " + status.shellCode() : failed;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(task + " " + paths + " in a user namespace was interrupted");
        }
        throw new IOException(task + " " + paths.get(0) + " in a user namespace with uid "
                + HostIdentity.current().uid() + "'s subordinate ids failed: " + failed);
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
