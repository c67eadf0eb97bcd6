package io.isola.launcher.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.StateStore;
import io.isola.spi.support.NetworkAdmin;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The networks {@code network connect} gave a container, kept in its state directory as Docker
 * keeps them in its config: a connection outlives the run it was made in (the container joins
 * the network again at each start) and one made while it was stopped or only created takes
 * effect when it starts; {@code network disconnect} ends it. The plugin's interfaces are a run's
 * only and go when it stops.
 */
public final class KeptConnections {

    /** In the container's state directory (root's, 0700), beside its state. */
    static final String FILE = "network-connections.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One connection: the network, the aliases the container has there besides its name, its address (null: any). */
    public record Kept(
            @JsonProperty("network") String network,
            @JsonProperty("aliases") List<String> aliases,
            @JsonProperty("ip") String ip) {
        public Kept {
            aliases = aliases == null ? List.of() : List.copyOf(aliases);
        }

        /** What the network's containers find it by: its name (when it has one) and its aliases. */
        List<String> names(String containerName) {
            Set<String> names = new LinkedHashSet<>();
            if (containerName != null) {
                names.add(containerName);
            }
            names.addAll(aliases);
            return List.copyOf(names);
        }
    }

    private KeptConnections() {}

    /** The connections of container {@code id}, in the order they were made; empty for none. */
    public static List<Kept> of(StateStore store, String id) {
        Path file = store.dir(id).resolve(FILE);
        // no link followed: the directory is root's, but nothing of ours reads through a link
        try (InputStream in = Channels.newInputStream(
                Files.newByteChannel(file, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)))) {
            return JSON.readValue(in, new TypeReference<List<Kept>>() {});
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("container " + id + ": " + file + ": " + e.getMessage(), e);
        }
    }

    /** Whether container {@code id} keeps a connection to {@code network}. */
    static boolean has(StateStore store, String id, String network) {
        return of(store, id).stream().anyMatch(k -> k.network().equals(network));
    }

    static void add(StateStore store, String id, Kept kept) {
        update(store, id, all -> {
            all.removeIf(k -> k.network().equals(kept.network()));
            return all.add(kept);
        });
    }

    /** Ends the kept connection to {@code network}; false when there was none. */
    static boolean remove(StateStore store, String id, String network) {
        return update(store, id, all -> all.removeIf(k -> k.network().equals(network)));
    }

    /**
     * Reads, changes and, when {@code change} says it changed them, writes the container's
     * connections under the state root's lock, as its state is written: two connects at once
     * (a resident server runs its clients' commands side by side) would otherwise each write
     * the list it read, and the later lose the earlier's connection.
     */
    private static boolean update(StateStore store, String id, Predicate<List<Kept>> change) {
        return store.locked(() -> {
            List<Kept> all = new ArrayList<>(of(store, id));
            boolean changed = change.test(all);
            if (changed) {
                write(store, id, all);
            }
            return changed;
        });
    }

    /**
     * Connects container {@code id}, which has just started, to each network it keeps, as Docker's
     * start does; the first that fails throws, naming the network (the caller stops the container:
     * its other connections go with it). {@code config}: the start's {@code --config} (null: none).
     */
    public static void apply(StateStore store, String id, Path config) {
        List<Kept> kept = of(store, id);
        if (kept.isEmpty()) {
            return;
        }
        ContainerState state = store.read(id);
        String name = state == null ? null : state.name();
        NetworkCommand.withAdmin(config, admin -> {
            for (Kept connection : kept) {
                connect(admin, id, name, connection);
            }
            return null;
        });
    }

    private static void connect(NetworkAdmin admin, String id, String name, Kept connection) {
        try {
            admin.connect(connection.network(), id, connection.names(name), connection.ip());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IllegalArgumentException(
                    "cannot join network " + connection.network() + ", which network connect gave it: "
                            + e.getMessage() + "; 'isola network disconnect " + connection.network() + " " + id
                            + "' ends that connection",
                    e);
        }
    }

    private static void write(StateStore store, String id, List<Kept> all) {
        Path dir = store.dir(id);
        try {
            // a new file (0600: createTempFile's mode) renamed over the old: a reader sees one or the other
            Path temp = Files.createTempFile(dir, ".connections", ".tmp");
            try {
                Files.write(temp, JSON.writeValueAsBytes(all));
                try {
                    Files.move(
                            temp,
                            dir.resolve(FILE),
                            StandardCopyOption.ATOMIC_MOVE,
                            StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("container " + id + ": cannot record its networks: " + e.getMessage(), e);
        }
    }
}
