package io.isola.ns.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Containers on the same user-defined network find each other by name: every running container
 * of the network has, below its own hosts file, a line per other container with that one's
 * address, name, aliases and short id. Rewritten in place in every member's file (the bind mount
 * holds the inode) when a member is attached or detached.
 *
 * <p>Why hosts files rather than a DNS server at 127.0.0.11 (Docker) or aardvark-dns (podman):
 * no resident process per network, nothing to restart, no port inside each container's network
 * namespace; the price is that a name resolves only while the container is attached, exactly as
 * with Docker, and a reader racing a rewrite may see the file without its peers for an instant.
 *
 * <p>Only what the host holds goes into the files: each member's names come from its own state
 * (checked by {@link io.isola.api.NameResolution} before they got there), its address from its
 * CNI result. Nothing a container writes into its own hosts file reaches another's.
 */
final class PeerHosts {

    private static final Logger LOG = LoggerFactory.getLogger(PeerHosts.class);
    /** Serializes rewrites within this JVM; the file lock does across processes (and throws if held twice here). */
    private static final Object LOCK = new Object();

    private final AttachmentStore store;
    private final Path lockFile;

    PeerHosts(AttachmentStore store, Path runtimeDir) {
        this.store = store;
        this.lockFile = runtimeDir.resolve("hosts.lock");
    }

    /** A running member: its directory, its own hosts content, the line others get for it. */
    private record Member(Path dir, String id, String ownHosts, String line) {}

    /** Rewrites the hosts file of every running container attached to {@code network}. */
    void refresh(String network) {
        synchronized (LOCK) {
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = channel.lock()) {
                List<Member> members = members(network);
                for (Member member : members) {
                    StringBuilder hosts = new StringBuilder(member.ownHosts());
                    for (Member peer : members) {
                        if (peer != member) {
                            hosts.append(peer.line());
                        }
                    }
                    try {
                        EtcFiles.overwrite(member.dir().resolve("hosts"), hosts.toString());
                    } catch (IOException e) {
                        // detached meanwhile: its directory is going
                        LOG.debug("container {}: hosts not rewritten: {}", member.id(), e.toString());
                    }
                }
                LOG.debug("network {}: hosts of {} containers rewritten", network, members.size());
            } catch (IOException e) {
                LOG.warn("network {}: the containers' hosts files could not be updated: {}", network, e.toString());
            }
        }
    }

    private List<Member> members(String network) {
        List<Member> members = new ArrayList<>();
        for (Path dir : store.dirs()) {
            ObjectNode state = store.read(dir).orElse(null);
            if (state == null
                    || !state.path("network").path("name").asText().equals(network)
                    || !state.has("hosts")
                    || !Processes.alive(
                            state.path("pid").asLong(-1), state.path("pidStart").asLong(-1))) {
                continue;
            }
            String address = "";
            for (JsonNode ip : state.path("result").path("ips")) {
                String text = ip.path("address").asText("");
                if (address.isEmpty() && text.contains(".")) {
                    address = text.replaceAll("/.*", "");
                }
            }
            Set<String> names = new LinkedHashSet<>();
            state.path("names").forEach(name -> names.add(name.asText()));
            if (address.isEmpty() || names.isEmpty()) {
                continue;
            }
            members.add(new Member(
                    dir,
                    state.path("containerId").asText(),
                    state.path("hosts").asText(),
                    address + "\t" + String.join(" ", names) + "\n"));
        }
        return members;
    }
}
