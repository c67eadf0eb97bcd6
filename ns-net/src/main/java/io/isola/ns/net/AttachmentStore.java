package io.isola.ns.net;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isola.lifecycle.ProcessIdentity;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One directory per container under the runtime directory, holding {@code state.json} (what the
 * network isolator attached, for whom, and which process owns it) and the container's generated
 * {@code hosts}, {@code hostname} and {@code resolv.conf}. The directory exists from prepare
 * until the network is detached; one that outlives its owning process is stale and swept.
 *
 * <p>state.json: {@code containerId}, {@code ownerPid}/{@code ownerStart} (the host JVM; an OCI
 * create's own first process from its clone on),
 * {@code pid}/{@code pidStart} (the container's first process, once cloned), {@code network}
 * (the whole conflist, so DEL uses exactly what ADD used), {@code attachment} (ifName and
 * capability arguments) and {@code result} (ADD's result, the prevResult of DEL).
 */
final class AttachmentStore {

    static final String STATE = "state.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The prefix of a directory being made, with its owner in the name. */
    static final String STAGING = ".new-";
    /** The prefix of a directory a sweep has taken over. */
    static final String CLAIM = ".sweep-";
    /** ID-PID-STARTTIME after {@link #CLAIM} or {@link #STAGING}. */
    private static final Pattern CLAIMER = Pattern.compile("(.+)-(\\d{1,10})-(\\d{1,20})");

    private final Path root;

    AttachmentStore(Path runtimeDir) {
        this.root = runtimeDir.resolve("containers");
    }

    Path dirOf(String id) {
        return root.resolve(id);
    }

    /**
     * Creates the container's directory with {@code state} (its owner) in it, made whole under a
     * name that says whose it is ({@code .new-ID-PID-STARTTIME}) and renamed into place, so that
     * no directory is ever without an owner to judge it by; fails if another container holds the id.
     */
    Path create(String id, ObjectNode state) throws IOException {
        Files.createDirectories(root);
        ownerOnly(root.getParent());
        ownerOnly(root);
        if (Files.exists(dirOf(id), LinkOption.NOFOLLOW_LINKS)) {
            throw inUse(id);
        }
        Path staging = Files.createDirectory(root.resolve(STAGING + id + "-"
                + ProcessIdentity.self().pid() + "-" + ProcessIdentity.self().startTime()));
        try {
            ownerOnly(staging);
            write(staging, state);
            // rename(2) would replace an empty directory of that name: a directory a racing start
            // made is never empty, it holds its state
            return Files.move(staging, dirOf(id), StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
            delete(staging);
            throw inUse(id);
        } catch (IOException | RuntimeException e) {
            delete(staging);
            throw e;
        }
    }

    private IllegalArgumentException inUse(String id) {
        return new IllegalArgumentException("container id \"" + id + "\": a running container already uses it ("
                + dirOf(id) + " exists); expected an id no running container has");
    }

    /** Directories a start was making when its process died (named after it, {@code .new-ID-PID-START}). */
    List<Path> abandonedStaging() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(root)) {
            return entries.filter(p -> p.getFileName().toString().startsWith(STAGING))
                    .filter(p -> {
                        Matcher owner =
                                CLAIMER.matcher(p.getFileName().toString().substring(STAGING.length()));
                        return owner.matches()
                                && !new ProcessIdentity(Long.parseLong(owner.group(2)), Long.parseLong(owner.group(3)))
                                        .isAlive();
                    })
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * The runtime directory holds each container's network namespace and leases: the caller's only
     * (0700), set explicitly whatever the umask, and narrowed where an older isola left it 0755.
     */
    private static Path ownerOnly(Path dir) throws IOException {
        java.util.Set<java.nio.file.attribute.PosixFilePermission> only =
                java.nio.file.attribute.PosixFilePermissions.fromString("rwx------");
        if (!Files.getPosixFilePermissions(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                .equals(only)) {
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
            return entries.filter(Files::isDirectory)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * Takes a stale directory away from everyone else by renaming it: of two processes sweeping at
     * once, only one rename succeeds. Empty when another process took it first. The new name says
     * who took it ({@code .sweep-ID-PID-STARTTIME}), so that a sweep killed after the rename is
     * retried by a later one ({@link #abandonedClaims}).
     */
    Optional<Path> claim(Path dir, String id) {
        Path claimed = root.resolve(CLAIM + id + "-" + ProcessIdentity.self().pid() + "-"
                + ProcessIdentity.self().startTime());
        try {
            return Optional.of(Files.move(dir, claimed, StandardCopyOption.ATOMIC_MOVE));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Directories that a sweep claimed and did not finish: its process is gone. A claim in the
     * older form ({@code .sweep-ID-UUID}) names no process: it counts once it is a minute old.
     */
    List<Path> abandonedClaims() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(root)) {
            return entries.filter(p -> p.getFileName().toString().startsWith(CLAIM))
                    .filter(AttachmentStore::claimerGone)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The container id in a claimed directory's name. */
    static String claimedId(Path claimed) {
        String rest = claimed.getFileName().toString().substring(CLAIM.length());
        Matcher process = CLAIMER.matcher(rest);
        return process.matches() ? process.group(1) : rest;
    }

    private static boolean claimerGone(Path claimed) {
        Matcher process = CLAIMER.matcher(claimed.getFileName().toString().substring(CLAIM.length()));
        if (process.matches()) {
            return !new ProcessIdentity(Long.parseLong(process.group(2)), Long.parseLong(process.group(3))).isAlive();
        }
        try {
            return Files.getLastModifiedTime(claimed)
                    .toInstant()
                    .isBefore(java.time.Instant.now().minusSeconds(60));
        } catch (IOException e) {
            return false;
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
