package io.isola.launcher.image;

import io.isola.api.IdMapping;
import io.isola.spi.support.ContainerTrees;
import io.isola.spi.support.IdMaps;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The other side of {@link SubordinateTrees}: a JVM of its own, started as root of a user namespace
 * with the rootless user's ids mapped, that removes a container's tree or writes it to stdout as a
 * tar. It sees the files as the container does: their owners as the container's ids, and it may
 * pass and read whatever those ids own (CAP_DAC_OVERRIDE in that namespace). Usage: {@code remove
 * TREE}, {@code changes UPPER}, {@code merged TOP... BOTTOM}, {@code directory ROOT}, {@code diff UPPER LOWER...} (NUL-ended lines), {@code shift
 * UIDMAP GIDMAP TREE} (maps as {@code CTR:HOST:LEN,...} of host ids). Exit code 0, else 1 with one
 * line on stderr.
 */
public final class TreeTask {

    private TreeTask() {}

    public static void main(String[] args) {
        try {
            run(args);
            System.exit(0);
        } catch (IOException | RuntimeException e) {
            System.err.println(e.getMessage() == null ? e.toString() : e.getMessage());
            System.exit(1);
        }
    }

    private static void run(String[] args) throws IOException {
        if (args.length < 2) {
            throw new IllegalArgumentException(
                    "usage: remove|changes|merged|directory|diff PATH... or shift UIDMAP GIDMAP TREE");
        }
        List<Path> paths = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            paths.add(Path.of(args[i]));
        }
        if (args[0].equals("shift") && args.length == 4) {
            IdMaps own = IdMaps.ofProcess(ProcessHandle.current().pid());
            ContainerTrees.shiftOwners(
                    Path.of(args[3]), new IdMaps(inOwn(parse(args[1]), own.uids()), inOwn(parse(args[2]), own.gids())));
            return;
        }
        if (args[0].equals("remove")) {
            ImageStore.deleteTree(paths.get(0));
            return;
        }
        OutputStream stdout = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
        if (args[0].equals("diff")) {
            ContainerChanges.write(paths.get(0), paths.subList(1, paths.size()), stdout);
            stdout.flush();
            return;
        }
        try (TreeTar tar = new TreeTar(stdout)) {
            switch (args[0]) {
                case "changes" -> ContainerFiles.changes(paths.get(0), tar);
                case "merged" -> ContainerFiles.merged(paths, tar);
                case "directory" -> ContainerFiles.directory(paths.get(0), tar);
                default -> throw new IllegalArgumentException("unknown task \"" + args[0] + "\"");
            }
        }
        stdout.flush();
    }

    /** {@code maps} as this task's argument: {@code CTR:HOST:LEN} lines joined by commas. */
    static String maps(List<IdMapping> maps) {
        return String.join(
                ",",
                maps.stream()
                        .map(m -> m.containerId() + ":" + m.hostId() + ":" + m.length())
                        .toList());
    }

    private static List<IdMapping> parse(String text) {
        return Arrays.stream(text.split(","))
                .map(line -> IdMapping.parse("map", line))
                .toList();
    }

    /**
     * The container's maps with their host ids named as this namespace names them ({@code own}:
     * namespace id to host id), so that chown here gives a file the container's host id; the
     * parts of the container's host ranges this namespace does not map are left out.
     */
    static List<IdMapping> inOwn(List<IdMapping> container, List<IdMapping> own) {
        List<IdMapping> composed = new ArrayList<>();
        for (IdMapping c : container) {
            for (IdMapping o : own) {
                long start = Math.max(c.hostId(), o.hostId()),
                        end = Math.min(c.hostId() + c.length(), o.hostId() + o.length());
                if (start < end) {
                    composed.add(new IdMapping(
                            c.containerId() + start - c.hostId(), o.containerId() + start - o.hostId(), end - start));
                }
            }
        }
        return composed;
    }
}
