package io.isola.lifecycle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.isola.api.IsolaException;
import io.isola.internal.security.OwnedPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The root directory of container state: one directory per container id (mode 0700), holding
 * {@code state.json} (0600), written atomically (a temporary file renamed over it), so a reader
 * never sees half a file whoever crashed when.
 */
public final class StateStore {

    public static final String STATE_FILE = "state.json";
    /** The prefix of a container's directory being made: {@code .new-ID-PID-STARTTIME} of the process making it. */
    private static final String STAGING = ".new-";

    private static final Pattern STAGED_BY = Pattern.compile("\\.new-.+-(\\d{1,10})-(\\d{1,20})");
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}");
    static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private final Path root;

    public StateStore(Path root) {
        this.root = root.toAbsolutePath();
    }

    /** {@code /run/isola} for root, else {@code $XDG_RUNTIME_DIR/isola}. */
    public static Path defaultRoot() {
        if ("root".equals(System.getProperty("user.name"))) {
            return Path.of("/run/isola");
        }
        String runtimeDir = System.getenv("XDG_RUNTIME_DIR");
        if (runtimeDir == null || runtimeDir.isEmpty()) {
            throw new IllegalArgumentException("XDG_RUNTIME_DIR is not set: give the state directory with --root");
        }
        return Path.of(runtimeDir, "isola");
    }

    public Path root() {
        return root;
    }

    public Path dir(String id) {
        return root.resolve(id);
    }

    /**
     * Creates the directory of a new container and writes its first state, under the root's lock
     * so that two containers cannot take one id or one name. Throws naming the taken id or name.
     */
    public void create(ContainerState state) {
        String name = state.name();
        requireValidName(name);
        locked(() -> {
            requireFreeName(name, state.id());
            // made whole under another name and renamed into place: a process killed in between
            // leaves no container directory without a state, which no command would ever list
            ProcessIdentity self = ProcessIdentity.self();
            Path staging = root.resolve(STAGING + state.id() + "-" + self.pid() + "-" + self.startTime());
            try {
                if (Files.exists(dir(state.id()), LinkOption.NOFOLLOW_LINKS)) {
                    throw new IllegalArgumentException("container id \"" + state.id() + "\" is already in use");
                }
                Files.createDirectory(
                        staging, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                writeIn(staging, state);
                Files.move(staging, dir(state.id()), StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | UncheckedIOException e) {
                deleteTree(staging);
                throw new UncheckedIOException(
                        "cannot create the state of " + state.id() + " in " + root,
                        e instanceof UncheckedIOException unchecked ? unchecked.getCause() : (IOException) e);
            }
            return null;
        });
    }

    private static void requireValidName(String name) {
        if (name != null && !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("container name \"" + name
                    + "\": expected 1 to 128 letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
    }

    /** Throws when another container than {@code id} has {@code name}; call under the lock. */
    private void requireFreeName(String name, String id) {
        if (name == null) {
            return;
        }
        for (ContainerState other : list()) {
            if (name.equals(other.name()) && !other.id().equals(id)) {
                throw new IllegalArgumentException("container name \"" + name + "\" is already in use by container "
                        + other.id() + "; remove it or choose another name");
            }
        }
    }

    /** Gives the container {@code reference} names the name {@code name}, under the lock; returns its id. */
    public String rename(String reference, String name) {
        requireValidName(name);
        return locked(() -> {
            ContainerState state = find(reference);
            if (state.isUnreadable() || state.isola() == null) {
                throw new IsolaException("cannot rename container " + state.id() + ": its state cannot be read");
            }
            requireFreeName(name, state.id());
            ContainerState current = read(state.id());
            write(current.withExtra(current.isola().withName(name)));
            return state.id();
        });
    }

    public void write(ContainerState state) {
        writeIn(dir(state.id()), state);
    }

    private void writeIn(Path dir, ContainerState state) {
        Path tmp = dir.resolve(STATE_FILE + ".tmp-" + ProcessHandle.current().pid() + "-"
                + Thread.currentThread().getId());
        try {
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(tmp, JSON.writeValueAsBytes(state));
            try {
                Files.move(tmp, dir.resolve(STATE_FILE), StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dir.resolve(STATE_FILE), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (NoSuchFileException e) {
            // the directory was removed meanwhile (rm -f while the monitor records the exit)
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the state of " + state.id(), e);
        }
    }

    /** The stored state of {@code id}, or null when there is none (or it is not readable as state). */
    private ContainerState readQuietly(String id) {
        try {
            return read(id);
        } catch (RuntimeException e) {
            return null;
        }
    }

    public ContainerState read(String id) {
        requireOwnRoot();
        try {
            return JSON.readValue(dir(id).resolve(STATE_FILE).toFile(), ContainerState.class);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The state of {@code id} for listing: what {@link #read} gives, or, when its state file
     * exists but cannot be read (truncated, corrupted), {@link ContainerState#unreadable} rather
     * than nothing, so that a container whose processes may still run never vanishes from view.
     */
    public ContainerState readListed(String id) {
        requireOwnRoot();
        Path file = dir(id).resolve(STATE_FILE);
        try {
            return JSON.readValue(file.toFile(), ContainerState.class);
        } catch (JsonProcessingException e) {
            return ContainerState.unreadable(id, file + " is not a container's state (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            // written atomically, so a missing file is a container being created or removed, not a broken one
            return Files.exists(file, LinkOption.NOFOLLOW_LINKS)
                    ? ContainerState.unreadable(id, "cannot read " + file + ": " + e.getMessage())
                    : null;
        }
    }

    /** Every container with a state file, oldest first; those that cannot be read as {@link ContainerState#unreadable}. */
    public List<ContainerState> list() {
        List<ContainerState> states = new ArrayList<>();
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(root)) {
            return states;
        }
        requireOwnRoot();
        try (Stream<Path> dirs = Files.list(root)) {
            dirs.filter(Files::isDirectory)
                    .filter(dir -> !abandonedStaging(dir))
                    .forEach(dir -> {
                        ContainerState state = readListed(dir.getFileName().toString());
                        if (state != null) {
                            states.add(state);
                        }
                    });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        states.sort(Comparator.comparing(s -> s.created() == null ? "" : s.created()));
        return states;
    }

    /**
     * The container with this id, name, or unique id prefix; throws naming it when there is none.
     * A container an engine created from a bundle answers only to its whole id, as runc's do: an
     * engine's kill or state of its own container that is gone would otherwise act on another
     * container whose id it prefixes.
     */
    public ContainerState find(String reference) {
        ContainerState exact = findExact(reference);
        if (exact != null) {
            return exact;
        }
        List<ContainerState> all =
                list().stream().filter(state -> state.bundle() == null).toList();
        for (ContainerState state : all) {
            if (reference.equals(state.name())) {
                return state;
            }
        }
        List<ContainerState> prefixed =
                all.stream().filter(s -> s.id().startsWith(reference)).toList();
        if (prefixed.size() == 1) {
            return prefixed.get(0);
        }
        if (prefixed.size() > 1) {
            throw new IllegalArgumentException("container \"" + reference + "\": the prefix matches " + prefixed.size()
                    + " containers; give more of the id");
        }
        throw new NoSuchContainerException(reference);
    }

    /**
     * The container with exactly this id, or null: an OCI runtime's verbs name a container by its
     * whole id (runc's and crun's do), never by a prefix of another's.
     */
    public ContainerState findExact(String id) {
        if (id.isEmpty() || id.contains("/") || id.startsWith(".")) {
            throw new IllegalArgumentException("container \"" + id + "\": not a container id or name");
        }
        return readListed(id);
    }

    /**
     * Whether {@code dir} is a container's directory that a process killed while making it left
     * (its name says which process; that one is gone); such a one is removed here.
     */
    private static boolean abandonedStaging(Path dir) {
        Matcher staged = STAGED_BY.matcher(dir.getFileName().toString());
        if (!staged.matches()) {
            return false;
        }
        if (!new ProcessIdentity(Long.parseLong(staged.group(1)), Long.parseLong(staged.group(2))).isAlive()) {
            deleteTree(dir);
        }
        return true;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | UncheckedIOException e) {
            // another process removed it first, or a later list retries
        }
    }

    /** Removes the container's directory and everything in it. */
    public void delete(String id) {
        requireOwnRoot();
        Path dir = dir(id);
        if (!Files.exists(dir)) {
            return;
        }
        ContainerState gone = readQuietly(id);
        for (int attempt = 1; ; attempt++) {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
                if (gone != null) {
                    EventLog.record(this, EventLog.DESTROY, gone, Map.of());
                }
                return;
            } catch (NoSuchFileException e) {
                return;
            } catch (IOException e) {
                // a writer may have dropped a file in meanwhile: try again, a few times
                if (attempt == 5) {
                    throw new IsolaException("cannot remove the state of " + id + " in " + root + ": " + e);
                }
            }
        }
    }

    /**
     * Runs {@code action} holding the root's lock file, creating the root (0700) if needed. An
     * existing root must be the caller's own directory, not a link: state written through a root
     * that another user controls could be redirected anywhere the caller (often root) can write.
     */
    public <T> T locked(Supplier<T> action) {
        OwnedPaths.privateDirectory(root, "state directory");
        try (LockFile lock = LockFile.ownerOnly(root.resolve(".lock"))) {
            return action.get();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock the state root " + root, e);
        }
    }

    /**
     * An existing root must be the caller's own directory, not a link, for reading too: state from
     * a root that another user controls could name any process for kill or exec to act on.
     */
    private void requireOwnRoot() {
        if (Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            OwnedPaths.privateDirectory(root, "state directory");
        }
    }

    /** No container has this id, name or prefix. */
    public static final class NoSuchContainerException extends IsolaException {
        public NoSuchContainerException(String reference) {
            super("no such container: " + reference);
        }
    }
}
