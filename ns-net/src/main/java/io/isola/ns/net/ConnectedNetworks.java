package io.isola.ns.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isola.api.NameResolution;
import io.isola.ns.net.cni.CniClient;
import io.isola.ns.net.cni.CniException;
import io.isola.ns.net.cni.NetworkConfigList;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The networks {@code isola network connect} added to running containers: one file per added
 * interface in the container's state directory ({@code connected-eth1.json}: the conflist, the
 * interface, the names, the ADD result), beside the state.json of the network it started with.
 * A file of its own rather than a key in state.json: the container's owner (the process that
 * started it) writes state.json, and never needs to read it back.
 *
 * <p>Connect, disconnect and the teardown of a container's network (its owner's close, or a
 * sweep after its owner died) hold one lock, so that no interface is added to a container whose
 * network is being torn down, and none is left behind by it. The file is written before the ADD,
 * as state.json is, so that a crash in between is swept (DEL tolerates what was never made).
 */
final class ConnectedNetworks {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectedNetworks.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "connected-";
    private static final String SUFFIX = ".json";
    /** More interfaces than anyone connects; bounds the search for a free name. */
    private static final int MAX_INTERFACES = 64;
    /** Within this JVM; the file lock is across processes (and throws if this JVM takes it twice). */
    private static final Object LOCK = new Object();

    private final CniClient cni;
    private final Path lockFile;

    ConnectedNetworks(CniClient cni, Path runtimeDir) {
        this.cni = cni;
        this.lockFile = runtimeDir.resolve("connect.lock");
    }

    /** Work done under the lock. */
    interface Locked<T, E extends Exception> {
        T run() throws E;
    }

    <T, E extends Exception> T locked(Locked<T, E> work) throws E {
        synchronized (LOCK) {
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = channel.lock()) {
                return work.run();
            } catch (IOException e) {
                throw new IllegalStateException("cannot lock " + lockFile + ": " + e.getMessage(), e);
            }
        }
    }

    /** The added interfaces' records in container directory {@code dir}, by interface name. */
    static List<ObjectNode> of(Path dir) {
        List<ObjectNode> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
            for (Path file : files) {
                if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                        && JSON.readTree(file.toFile()) instanceof ObjectNode record) {
                    found.add(record);
                }
            }
        } catch (IOException e) {
            LOG.debug("{}: connected networks not read: {}", dir, e.toString());
        }
        found.sort(Comparator.comparing(r -> r.path("ifName").asText()));
        return found;
    }

    /**
     * ADD of {@code list} on the next free {@code ethN} of the namespace pinned at {@code pin};
     * the caller holds the lock and has checked the container. Returns the record, with its result.
     */
    ObjectNode add(Path dir, Path pin, String id, NetworkConfigList list, List<String> names, String ipv4)
            throws CniException, IOException {
        names.forEach(name -> {
            if (!NameResolution.validName(name)) {
                throw new IllegalArgumentException("--alias \"" + name
                        + "\": expected letters, digits, '_', '.' or '-', starting with a letter or digit");
            }
        });
        String ifName = freeInterface(dir);
        ObjectNode record = JsonNodeFactory.instance.objectNode().put("ifName", ifName);
        record.set("network", list.json());
        record.put("source", list.source());
        ObjectNode caps = record.putObject("capabilityArgs");
        if (ipv4 != null) {
            caps.putArray("ips").add(ipv4);
        }
        names.forEach(record.putArray("names")::add);
        Path file = dir.resolve(PREFIX + ifName + SUFFIX);
        write(file, record); // before the ADD: a crash from here on is swept
        try {
            record.set("result", cni.add(list, attachment(id, pin, record)));
        } catch (CniException e) {
            Files.deleteIfExists(file); // add DELs what it made before it throws
            throw BridgeAddressClash.explain(e, list);
        } catch (RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        write(file, record);
        LOG.info("container {}: connected to network {} as {}", id, list.name(), ifName);
        return record;
    }

    /** DEL of the added interface {@code record} and its file; the caller holds the lock. */
    void remove(Path dir, Path pin, String id, ObjectNode record) throws CniException, IOException {
        NetworkConfigList list = NetworkConfigList.parse(
                record.get("network").toString(), record.path("source").asText("state of " + id), false);
        cni.del(list, attachment(id, pin, record), record.get("result") instanceof ObjectNode result ? result : null);
        Files.deleteIfExists(dir.resolve(PREFIX + record.path("ifName").asText() + SUFFIX));
        LOG.info("container {}: disconnected from network {}", id, list.name());
    }

    /**
     * DEL of every added interface of the container in {@code dir} (its network is being torn
     * down; the caller holds the lock); returns the networks left, whose members' hosts files
     * then change. Tries them all; throws the first failure, its file kept for a later sweep.
     */
    List<String> removeAll(Path dir, Path pin, String id) throws CniException {
        List<String> left = new ArrayList<>();
        CniException failed = null;
        for (ObjectNode record : of(dir)) {
            try {
                remove(dir, pin, id, record);
                left.add(record.path("network").path("name").asText());
            } catch (CniException e) {
                failed = failed == null ? e : failed;
            } catch (IOException e) {
                failed = failed == null ? new CniException(dir + ": " + e.getMessage()) : failed;
            }
        }
        if (failed != null) {
            throw failed;
        }
        return left;
    }

    private static CniClient.Attachment attachment(String id, Path pin, ObjectNode record) {
        Map<String, JsonNode> caps = new HashMap<>();
        record.path("capabilityArgs").fields().forEachRemaining(e -> caps.put(e.getKey(), e.getValue()));
        return new CniClient.Attachment(
                id, pin == null ? "" : pin.toString(), record.path("ifName").asText(), caps);
    }

    /** eth1, eth2, ...: the first that no added interface of the container has (eth0 is its first network's). */
    private static String freeInterface(Path dir) {
        List<String> taken =
                of(dir).stream().map(r -> r.path("ifName").asText()).toList();
        for (int n = 1; n < MAX_INTERFACES; n++) {
            if (!taken.contains("eth" + n)) {
                return "eth" + n;
            }
        }
        throw new IllegalArgumentException(
                "the container already has " + (MAX_INTERFACES - 1) + " connected networks; disconnect one first");
    }

    /** Atomically, as state.json: a sweep never reads half a record. */
    private static void write(Path file, ObjectNode record) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, JSON.writeValueAsBytes(record));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
