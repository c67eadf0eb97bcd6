package io.isola.ns.net;

import com.fasterxml.jackson.databind.JsonNode;
import io.isola.api.NameResolution;
import io.isola.spi.ContainerBind;
import io.isola.spi.Step;
import io.isola.spi.Steps;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The container's {@code /etc/hosts}, {@code /etc/hostname} and {@code /etc/resolv.conf}: written
 * on the host into the container's state directory and bind-mounted over the container's own in
 * its mount namespace, as Docker does. The files exist (empty) from prepare, since the child's
 * bind mounts need them; they are filled after the CNI ADD, before the child passes its first
 * checkpoint (without a network, {@code --net none}, they are written whole in prepare). They are written in place, never replaced: a bind mount holds the inode.
 */
final class EtcFiles {

    static final List<String> NAMES = List.of("hosts", "hostname", "resolv.conf");

    private final Path dir;
    private final boolean ownHostname;

    /** {@code ownHostname}: the container has a UTS namespace, so /etc/hostname is its own too. */
    EtcFiles(Path dir, boolean ownHostname) {
        this.dir = dir;
        this.ownHostname = ownHostname;
    }

    void createEmpty() throws IOException {
        for (String name : NAMES) {
            Files.write(dir.resolve(name), new byte[0]);
            readable(dir.resolve(name));
        }
    }

    /**
     * Whatever the umask, as a container's /etc files are: the container's root may be a uid
     * other than their owner (a rootless child binds them in its own mount namespace with the
     * user's credentials first, so their directory stays the user's only).
     */
    private static void readable(Path file) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    }

    /**
     * The binds for the isolator that mounts them in the container's root (before pivot_root, so
     * that they are there whatever the root is), created there when missing.
     */
    List<ContainerBind> binds() {
        List<ContainerBind> binds = new ArrayList<>();
        for (String name : NAMES) {
            if (name.equals("hostname") && !ownHostname) {
                continue;
            }
            binds.add(new ContainerBind("the network's /etc/" + name, dir.resolve(name), "/etc/" + name, false));
        }
        return binds;
    }

    /**
     * Without such an isolator: the child's bind mounts over the host's files that exist, seen
     * through the new mount namespace (they reach a sandbox root that binds the host's /etc, but
     * not a root file system of the container's own).
     */
    List<Step> bindMounts() {
        List<Step> steps = new ArrayList<>();
        for (String name : NAMES) {
            Path target = Path.of("/etc", name);
            if (name.equals("hostname") && !ownHostname || !Files.exists(target)) {
                continue;
            }
            steps.add(Steps.mount(
                    "bind-mount the container's " + target,
                    dir.resolve(name).toString(),
                    target.toString(),
                    null,
                    Steps.MS_BIND,
                    null));
        }
        return steps;
    }

    /**
     * Fills the files: the addresses from the CNI result, DNS from the result or else the host's,
     * each replaced by what the container asked ({@code --dns} and friends), and its extra hosts
     * ({@code host-gateway} being {@code gateway}). Returns the hosts file, which {@link PeerHosts}
     * extends with the other containers of a user-defined network.
     */
    String write(String hostname, List<String> addresses, JsonNode dns, NameResolution asked, String gateway)
            throws IOException {
        StringBuilder hosts = new StringBuilder();
        hosts.append("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
        for (NameResolution.HostEntry entry : asked.extraHosts()) {
            String address = entry.address();
            if (address.equals(NameResolution.HOST_GATEWAY)) {
                if (gateway == null || gateway.isEmpty()) {
                    throw new IllegalArgumentException(
                            "--add-host " + entry.name() + ":host-gateway: the container's network"
                                    + " has no gateway; expected --net bridge or a network with a gateway, or an IP address");
                }
                address = gateway;
            }
            hosts.append(address).append('\t').append(entry.name()).append('\n');
        }
        if (addresses.isEmpty()) {
            hosts.append("127.0.1.1\t").append(hostname).append('\n');
        }
        for (String address : addresses) {
            hosts.append(address).append('\t').append(hostname).append('\n');
        }
        replace("hosts", hosts.toString());
        replace("hostname", hostname + "\n");
        replace("resolv.conf", ResolvConf.merge(resolvConf(dns), asked));
        return hosts.toString();
    }

    /** Without anything asked of names and DNS. */
    void write(String hostname, List<String> addresses, JsonNode dns) throws IOException {
        write(hostname, addresses, dns, ResolvConf.NOTHING_ASKED, null);
    }

    /**
     * Writes one of the files in place (a bind mount holds its inode), never through a link: the
     * directory is the runtime's own, yet a file the container can write is opened no wider than needed.
     */
    private void replace(String name, String content) throws IOException {
        overwrite(dir.resolve(name), content);
        readable(dir.resolve(name));
    }

    /** Truncates and writes {@code file} in place, refusing a link. */
    static void overwrite(Path file, String content) throws IOException {
        try (SeekableByteChannel channel = Files.newByteChannel(
                file,
                Set.of(
                        StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS))) {
            ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }
    }

    /**
     * Copies the container's files from another container's directory ({@code --net container:ID}).
     * That container's processes write these files through their bind mounts, so each is read up
     * to {@link #MAX_COPIED} only: a sparse /etc/hosts of any size costs them nothing, and read whole it
     * filled the heap (an Error that skipped the start's cleanup) and then /run.
     */
    void copyFrom(Path other, String hostname) throws IOException {
        for (String name : List.of("hosts", "resolv.conf")) {
            Path source = other.resolve(name);
            Files.write(
                    dir.resolve(name),
                    Files.exists(source, LinkOption.NOFOLLOW_LINKS) ? readBounded(source) : new byte[0]);
        }
        Files.writeString(dir.resolve("hostname"), hostname + "\n");
    }

    /** The most of a joined container's hosts or resolv.conf that is copied: far beyond any real one. */
    static final int MAX_COPIED = 16 << 20;

    private static byte[] readBounded(Path source) throws IOException {
        try (InputStream in = Files.newInputStream(source, LinkOption.NOFOLLOW_LINKS)) {
            byte[] bytes = in.readNBytes(MAX_COPIED + 1);
            if (bytes.length > MAX_COPIED) {
                throw new IOException("the joined container's " + source + " holds more than "
                        + (MAX_COPIED >> 20) + " MiB, which a container sharing its network would copy;"
                        + " expected at most " + (MAX_COPIED >> 20) + " MiB (it is the container's own to shrink)");
            }
            return bytes;
        }
    }

    /**
     * DNS from the CNI result when a plugin set any; else the host's resolv.conf without loopback
     * name servers, which would be the container's own loopback and answer nothing.
     */
    private static String resolvConf(JsonNode dns) throws IOException {
        StringBuilder out = new StringBuilder();
        if (dns != null && dns.path("nameservers").size() > 0) {
            dns.path("nameservers")
                    .forEach(ns -> out.append("nameserver ").append(ns.asText()).append('\n'));
            if (dns.path("search").size() > 0) {
                Set<String> search = new LinkedHashSet<>();
                dns.path("search").forEach(s -> search.add(s.asText()));
                out.append("search ").append(String.join(" ", search)).append('\n');
            }
            if (dns.path("options").size() > 0) {
                List<String> options = new ArrayList<>();
                dns.path("options").forEach(o -> options.add(o.asText()));
                out.append("options ").append(String.join(" ", options)).append('\n');
            }
            return out.toString();
        }
        return hostResolvConf();
    }

    /** The host's resolv.conf, filtered, and what it was filtered from; reused while the file is unchanged. */
    private record HostResolvConf(FileTime modified, long size, Object fileKey, String filtered) {}

    private static volatile HostResolvConf hostResolvConf;

    /**
     * The host's resolv.conf without loopback name servers. Filtered again only when the file's
     * time, size or inode has changed: every container with a network namespace writes one, and
     * reading and splitting its lines was a good part of a {@code --net none} start.
     */
    private static String hostResolvConf() throws IOException {
        Path host = Path.of("/etc/resolv.conf");
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(host, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return "";
        }
        HostResolvConf cached = hostResolvConf;
        if (cached != null
                && cached.modified().equals(attributes.lastModifiedTime())
                && cached.size() == attributes.size()
                && Objects.equals(cached.fileKey(), attributes.fileKey())) {
            return cached.filtered();
        }
        StringBuilder out = new StringBuilder();
        for (String line : Files.readAllLines(host)) {
            String[] words = line.trim().split("\\s+");
            boolean loopback = words.length > 1
                    && words[0].equals("nameserver")
                    && (words[1].startsWith("127.") || words[1].equals("::1"));
            if (!loopback) {
                out.append(line).append('\n');
            }
        }
        String filtered = out.toString();
        hostResolvConf =
                new HostResolvConf(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey(), filtered);
        return filtered;
    }
}
