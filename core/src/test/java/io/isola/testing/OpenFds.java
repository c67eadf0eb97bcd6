package io.isola.testing;

import io.isola.internal.nativ.HostProc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The fds this JVM has open, taken before a case, to name afterwards the ones the case left open.
 *
 * <p>Why not compare counts: the JVM opens fds for itself on first use and keeps them for its
 * life: the socket NIO dups over an fd it closes while another thread blocks on it (made when the
 * first channel is), /dev/urandom for the first random UUID, a jar it first loads a class from. A
 * count is then one higher with nothing leaked (it failed CI twice that way). The first two, and
 * isola's own kept handle of the host's procfs, are made here before any snapshot; jars and files of the JDK are not counted; every other new fd is
 * named by {@link #leaked()}, so a failure says what stayed open.
 */
public final class OpenFds {

    private static final String JAVA_HOME = System.getProperty("java.home");

    static {
        try (var channel = FileChannel.open(Path.of("/dev/null"))) {
            UUID.randomUUID();
            HostProc.shared(); // kept for the JVM's life from its first use
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private final List<String> targets;

    private OpenFds(List<String> targets) {
        this.targets = targets;
    }

    public static OpenFds now() throws IOException {
        return new OpenFds(targets());
    }

    /** How many fds were open: for a log line, not for a leak check. */
    public int count() {
        return targets.size();
    }

    /**
     * The fds open now and not at {@link #now()} ("12 -> pipe:[4711]"), without the JVM's own
     * files, after a bounded moment (2 s) for fds a case closes on another thread to close.
     */
    public List<String> leaked() throws IOException, InterruptedException {
        List<String> leaked = added();
        for (int i = 0; i < 100 && !leaked.isEmpty(); i++) {
            Thread.sleep(20);
            leaked = added();
        }
        return leaked;
    }

    private List<String> added() throws IOException {
        List<String> before = new ArrayList<>(targets);
        List<String> added = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                String target = target(fd);
                // fd numbers are reused, so an fd is "the same" when it points at the same thing
                if (target != null && !before.remove(target) && !jvmOwn(target)) {
                    added.add(fd.getFileName() + " -> " + target);
                }
            }
        }
        return added;
    }

    private static boolean jvmOwn(String target) {
        return target.endsWith(".jar") || target.startsWith(JAVA_HOME + "/");
    }

    private static List<String> targets() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(OpenFds::target).filter(Objects::nonNull).toList();
        }
    }

    private static String target(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (IOException closedMeanwhile) {
            return null;
        }
    }
}
