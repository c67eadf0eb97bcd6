package io.isola.ns.net;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * One directory per container under the runtime directory, holding {@code state.json} (what the
 * network isolator attached, for whom, and which process owns it) and the container's generated
 * {@code hosts}, {@code hostname} and {@code resolv.conf}. The directory exists from prepare
 * until the network is detached; one that outlives its owning process is stale and swept.
 *
 * <p>state.json: {@code containerId}, {@code ownerPid}/{@code ownerStart} (the host JVM),
 * {@code pid}/{@code pidStart} (the container's first process, once cloned), {@code network}
 * (the whole conflist, so DEL uses exactly what ADD used), {@code attachment} (ifName and
 * capability arguments) and {@code result} (ADD's result, the prevResult of DEL).
 */
final class StateStore {

    static final String STATE = "state.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;

    StateStore(Path runtimeDir) {
        this.root = runtimeDir.resolve("containers");
    }

    Path dirOf(String id) {
        return root.resolve(id);
    }

    /** Creates the container's directory; fails if another container holds the id. */
    Path create(String id) throws IOException {
        Files.createDirectories(root);
        ownerOnly(root.getParent());
        ownerOnly(root);
        try {
            return ownerOnly(Files.createDirectory(dirOf(id)));
        } catch (FileAlreadyExistsException e) {
            throw new IllegalArgumentException("container id \"" + id + "\": a running container already uses it ("
                    + dirOf(id) + " exists); expected an id no running container has");
        }
    }

    /**
     * The runtime directory holds each container's network namespace and leases: the caller's only
     * (0700), set explicitly whatever the umask, and narrowed where an older isola left it 0755.
     */
    private static Path ownerOnly(Path dir) throws IOException {
        java.util.Set<java.nio.file.attribute.PosixFilePermission> only = java.nio.file.attribute.PosixFilePermissions
                .fromString("rwx------");
        if (!Files.getPosixFilePermissions(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS).equals(only)) {
            Files.setPosixFilePermissions(dir, only);
        }
        return dir;
    }

    /** Replaces state.json atomically, so a reader (or a sweep after a crash) never sees half of it. */
    void write(Path dir, ObjectNode state) throws IOException {
        Path tmp = dir.resolve(STATE + ".tmp");
        Files.write(tmp, JSON.writeValueAsBytes(state));
        try {
            Files.move(tmp, dir.resolve(STATE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dir.resolve(STATE), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    Optional<ObjectNode> read(Path dir) {
        try {
            return Optional.of((ObjectNode) JSON.readTree(dir.resolve(STATE).toFile()));
        } catch (IOException | ClassCastException e) {
            return Optional.empty();
        }
    }

    /** The containers' directories (not those being swept). */
    List<Path> dirs() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(root)) {
            return entries.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * Takes a stale directory away from everyone else by renaming it: of two processes sweeping at
     * once, only one rename succeeds. Empty when another process took it first.
     */
    Optional<Path> claim(Path dir) {
        Path claimed = root.resolve(".sweep-" + dir.getFileName() + "-" + UUID.randomUUID());
        try {
            return Optional.of(Files.move(dir, claimed, StandardCopyOption.ATOMIC_MOVE));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Gives a claimed directory back (its DEL failed; a later sweep retries). */
    void unclaim(Path claimed, String id) {
        try {
            Files.move(claimed, dirOf(id), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // another container took the id meanwhile; the claimed copy stays for inspection
        }
    }

    /**
     * Deletes {@code dir} and everything in it, if it exists, without following links. A directory
     * listing rather than a sorted walk: this runs on every network container's cleanup.
     */
    static void delete(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(dir);
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                delete(entry);
            }
        } catch (NoSuchFileException e) {
            return; // deleted meanwhile
        }
        Files.deleteIfExists(dir);
    }
}
