package io.isola.lifecycle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The IPv4 addresses of a running container, read from {@code /proc/<pid>/net/fib_trie}, which
 * shows the routing tables of the network namespace that process is in: whatever plumbed the
 * network (CNI or nothing), the kernel's own view. Loopback addresses are left out.
 */
final class NetworkAddresses {

    /** Enough for thousands of addresses; inspect shows the first ones. */
    static final int MAX_FIB_TRIE_BYTES = 1 << 20;

    private NetworkAddresses() {}

    /** {@code {"IPAddress": first or "", "IPAddresses": [...]}} for inspect. */
    static Map<String, Object> settings(long pid) {
        List<String> addresses = ipv4(pid);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("IPAddress", addresses.isEmpty() ? "" : addresses.get(0));
        settings.put("IPAddresses", addresses);
        return settings;
    }

    static List<String> ipv4(long pid) {
        List<String> lines;
        // the container's own network namespace decides how long this is: read a bounded prefix
        try (InputStream in = Files.newInputStream(Path.of("/proc", Long.toString(pid), "net", "fib_trie"))) {
            lines = new String(in.readNBytes(MAX_FIB_TRIE_BYTES), StandardCharsets.US_ASCII)
                    .lines()
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
        // a leaf is "|-- ADDRESS" followed by its routes; "/32 host LOCAL" marks an address of this namespace
        Set<String> local = new LinkedHashSet<>();
        String leaf = null;
        for (String line : lines) {
            String trimmed = line.trim();
            if (trimmed.startsWith("|-- ")) {
                leaf = trimmed.substring(4);
            } else if (leaf != null && trimmed.equals("/32 host LOCAL") && !leaf.startsWith("127.")) {
                local.add(leaf);
            }
        }
        return new ArrayList<>(local);
    }
}
