package io.isola.launcher.image;

import io.isola.lifecycle.ProcessIdentity;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writable layers of containers in the image store ({@code ROOT/containers/ID}), and their
 * removal: by {@code isola rm}, and by a sweep that every CLI command makes, for layers whose
 * container will never use them again because the JVM that ran it was killed before it could
 * remove them (the mount isolator removes them itself otherwise).
 *
 * <p>The mount isolator's {@code owner} file tells (see {@code Filesystem.keepWritableLayerWhile}):
 * a layer kept while a container's state exists is garbage once that state is gone (and its
 * process too); any other layer once both the process that mounted it and the container's first
 * process have gone (pid and start time, as the lifecycle identifies processes, so a reused pid does not count). The overlay mount
 * itself lives only in the container's mount namespace, so it ends with the container.
 */
public final class ContainerLayers {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerLayers.class);
    /** A layer without its owner file is a start caught between mkdir and the file's write. */
    private static final Duration UNFINISHED = Duration.ofMinutes(1);

    private final ImageStore store;

    public ContainerLayers(ImageStore store) {
        this.store = store;
    }

    /** Runs {@link #sweep()} and never fails: a command must not fail because of another's leftovers. */
    public static void sweepQuietly() {
        try {
            new ContainerLayers(ImageStore.fromEnvironment().secure(false)).sweep();
        } catch (RuntimeException | IOException e) {
            LOG.debug("sweeping writable layers: {}", e.toString());
        }
    }

    /** Removes every writable layer nothing will use again, and removals left unfinished; returns how many. */
    public int sweep() throws IOException {
        return sweepLayers() + sweepUnfinishedRemovals();
    }

    /**
     * Layers a removal claimed ({@code tmp/removing-ID-PID}) whose remover is gone without
     * finishing: killed, or (before rootless removal went through a user namespace) refused by
     * files of the user's subordinate ids.
     */
    private int sweepUnfinishedRemovals() throws IOException {
        Path scratch = store.root().resolve("tmp");
        if (!Files.isDirectory(scratch)) {
            return 0;
        }
        List<Path> claimed;
        try (Stream<Path> list = Files.list(scratch)) {
            claimed = list.filter(p -> p.getFileName().toString().startsWith("removing-"))
                    .toList();
        }
        int removed = 0;
        for (Path layer : claimed) {
            String name = layer.getFileName().toString();
            int dash = name.lastIndexOf('-');
            long pid;
            try {
                pid = dash > "removing-".length() ? Long.parseLong(name.substring(dash + 1)) : -1;
            } catch (NumberFormatException e) {
                pid = -1;
            }
            if (pid <= 0) {
                continue; // not a name claimAndDelete gives
            }
            if (ProcessHandle.of(pid).isPresent()) {
                continue; // its remover may still be at it
            }
            LOG.info("finishing the removal of {}, whose remover (pid {}) is gone", name, pid);
            if (claimAndDelete(layer, name.substring("removing-".length(), dash))) {
                removed++;
            }
        }
        return removed;
    }

    private int sweepLayers() throws IOException {
        Path dir = store.root().resolve("containers");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        List<Path> layers;
        try (Stream<Path> list = Files.list(dir)) {
            layers = list.toList();
        }
        int removed = 0;
        for (Path layer : layers) {
            if (stale(layer) && claimAndDelete(layer)) {
                LOG.info("removed the writable layer {} of a container that is gone", layer.getFileName());
                removed++;
            }
        }
        return removed;
    }

    /**
     * Removes a container's writable layer (for {@code rm}), in the store that holds it, whatever
     * store this process is pointed at; nothing if it is gone already.
     */
    public static void remove(String writableLayer) throws IOException {
        Path layer = Path.of(writableLayer).toAbsolutePath().normalize();
        Path parent = layer.getParent();
        if (parent == null
                || parent.getParent() == null
                || !parent.getFileName().toString().equals("containers")) {
            LOG.warn("not removing {}: not a writable layer of an image store", layer);
            return;
        }
        new ContainerLayers(new ImageStore(parent.getParent())).claimAndDelete(layer);
    }

    /** A container (by its layer's name, the container id) whose writable layer stands on {@code lower}, or null. */
    static String userOf(ImageStore store, Path lower) throws IOException {
        Path dir = store.root().resolve("containers");
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (Stream<Path> list = Files.list(dir)) {
            for (Path layer : list.toList()) {
                try (InputStream in = Files.newInputStream(layer.resolve("owner"))) {
                    List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                            .lines()
                            .toList();
                    if (lines.size() > 3
                            && lines.subList(3, lines.size()).contains(lower.toString())
                            && !stale(layer)) {
                        return layer.getFileName().toString();
                    }
                } catch (NoSuchFileException e) {
                    // being created or removed
                }
            }
        }
        return null;
    }

    static boolean stale(Path layer) throws IOException {
        List<String> lines;
        try (InputStream in = Files.newInputStream(layer.resolve("owner"))) {
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .toList();
        } catch (NoSuchFileException e) {
            return Files.getLastModifiedTime(layer)
                    .toInstant()
                    .isBefore(Instant.now().minus(UNFINISHED));
        }
        boolean containerAlive = lines.size() > 1 && alive(lines.get(1));
        if (containerAlive) {
            return false;
        }
        String keepWhile = lines.size() > 2 ? lines.get(2) : "";
        if (!keepWhile.isEmpty()) {
            return !Files.exists(Path.of(keepWhile));
        }
        return lines.isEmpty() || !alive(lines.get(0));
    }

    /** "PID STARTTIME" names a process that still runs (not a zombie, not a later process with that pid). */
    private static boolean alive(String line) {
        String[] fields = line.trim().split(" ");
        try {
            long pid = Long.parseLong(fields[0]);
            return fields.length == 2 && new ProcessIdentity(pid, Long.parseLong(fields[1])).isAlive();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Renames the layer out of the way first, so that two sweeps never delete one tree together. */
    private boolean claimAndDelete(Path layer) throws IOException {
        return claimAndDelete(layer, layer.getFileName().toString());
    }

    private boolean claimAndDelete(Path layer, String id) throws IOException {
        Path claimed = store.scratch()
                .resolve("removing-" + id + "-" + ProcessHandle.current().pid());
        try {
            Files.move(layer, claimed, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return false; // another process took it
        }
        try {
            ImageStore.deleteTree(claimed);
        } catch (IOException e) {
            if (!SubordinateTrees.needed()) {
                throw e;
            }
            // files of the user's subordinate ids (overlayfs's work/work is mode 0): removed where they are the user's
            LOG.debug("removing {} in a user namespace: {}", claimed, e.toString());
            SubordinateTrees.remove(claimed);
        }
        return true;
    }
}
