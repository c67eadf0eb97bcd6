package io.isola.ns.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isola.lifecycle.ProcessIdentity;
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

    /** One interface of a container on a network: its address there and the names it is found by. */
    private record Link(String network, String address, List<String> names) {
        String line() {
            return address + "\t" + String.join(" ", names) + "\n";
        }
    }

    /** A running container on networks: its directory, its own hosts content, its hostname, its links. */
    private record Member(Path dir, String id, String ownHosts, String hostname, List<Link> links) {
        boolean on(String network) {
            return links.stream().anyMatch(l -> l.network().equals(network));
        }
    }

    /**
     * Rewrites the hosts file of every running container attached to {@code network}: its own
     * lines, its address on each network it was connected to, then, for every network it is on,
     * the lines of that network's other members that have names there.
     */
    void refresh(String network) {
        refresh(network, null);
    }

    /** As {@link #refresh(String)}, and container {@code left}'s own file, which has just left that network. */
    void refresh(String network, String left) {
        synchronized (LOCK) {
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = channel.lock()) {
                List<Member> all = members();
                int rewritten = 0;
                for (Member member : all) {
                    if (!member.on(network) && !member.id().equals(left)) {
                        continue;
                    }
                    Set<String> lines = new LinkedHashSet<>();
                    for (Link link : member.links().subList(1, member.links().size())) {
                        if (!member.hostname().isEmpty()) {
                            lines.add(link.address() + "\t" + member.hostname() + "\n");
                        }
                    }
                    for (Link own : member.links()) {
                        for (Member peer : all) {
                            if (peer == member) {
                                continue;
                            }
                            peer.links().stream()
                                    .filter(l -> l.network().equals(own.network())
                                            && !l.names().isEmpty())
                                    .forEach(l -> lines.add(l.line()));
                        }
                    }
                    try {
                        EtcFiles.overwrite(member.dir().resolve("hosts"), member.ownHosts() + String.join("", lines));
                        rewritten++;
                    } catch (IOException e) {
                        // detached meanwhile: its directory is going
                        LOG.debug("container {}: hosts not rewritten: {}", member.id(), e.toString());
                    }
                }
                LOG.debug("network {}: hosts of {} containers rewritten", network, rewritten);
            } catch (IOException e) {
                LOG.warn("network {}: the containers' hosts files could not be updated: {}", network, e.toString());
            }
        }
    }

    /** The running containers on networks, each with its first network's link first (eth0, then eth1...). */
    private List<Member> members() {
        List<Member> members = new ArrayList<>();
        for (Path dir : store.dirs()) {
            ObjectNode state = store.read(dir).orElse(null);
            if (state == null
                    || !state.has("hosts")
                    || !new ProcessIdentity(
                                    state.path("pid").asLong(-1),
                                    state.path("pidStart").asLong(-1))
                            .isAlive()) {
                continue;
            }
            List<Link> links = new ArrayList<>();
            link(state).ifPresent(links::add);
            if (links.isEmpty()) {
                continue;
            }
            ConnectedNetworks.of(dir).forEach(record -> link(record).ifPresent(links::add));
            members.add(new Member(
                    dir,
                    state.path("containerId").asText(),
                    state.path("hosts").asText(),
                    state.path("hostname").asText(""),
                    List.copyOf(links)));
        }
        return members;
    }

    /** The link that state.json or a connected record describes, once its ADD gave an IPv4 address. */
    private static java.util.Optional<Link> link(ObjectNode record) {
        String address = "";
        for (JsonNode ip : record.path("result").path("ips")) {
            String text = ip.path("address").asText("");
            if (address.isEmpty() && text.contains(".")) {
                address = text.replaceAll("/.*", "");
            }
        }
        List<String> names = new ArrayList<>();
        record.path("names").forEach(name -> names.add(name.asText()));
        String network = record.path("network").path("name").asText("");
        return address.isEmpty() || network.isEmpty()
                ? java.util.Optional.empty()
                : java.util.Optional.of(new Link(network, address, List.copyOf(names)));
    }
}
