package io.isola.ns.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** What the host's network looks like, for before/after comparisons in tests. */
final class HostNet {

    private HostNet() {}

    static boolean which(String tool) {
        return Stream.of("/usr/sbin", "/usr/bin", "/sbin", "/bin").anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }

    /** Runs a host command, bounded, and returns its stdout (and stderr). */
    static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish");
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /** The host's links by name (veths included, counters and flags left out). */
    static TreeSet<String> links() throws Exception {
        TreeSet<String> names = new TreeSet<>();
        for (String line : run("ip", "-o", "link", "show").lines().toList()) {
            String[] f = line.split(":\\s+");
            if (f.length > 1) {
                names.add(f[1].replaceAll("@.*", ""));
            }
        }
        return names;
    }

    /** Every iptables rule of the filter and nat tables. */
    static List<String> iptables() throws Exception {
        return Stream.concat(run("iptables", "-S").lines(), run("iptables", "-t", "nat", "-S").lines()).sorted().toList();
    }

    /** host-local's lease files of one network. */
    static TreeSet<String> leases(String network) throws IOException {
        Path dir = Path.of("/var/lib/cni/networks", network);
        TreeSet<String> files = new TreeSet<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("lock") && !n.startsWith("last_reserved_ip"))
                        .forEach(files::add);
            }
        }
        return files;
    }

    /** One snapshot of all three. */
    record Snapshot(TreeSet<String> links, List<String> rules, TreeSet<String> leases) {
        static Snapshot take(String network) throws Exception {
            return new Snapshot(HostNet.links(), HostNet.iptables(), HostNet.leases(network));
        }
    }
}
