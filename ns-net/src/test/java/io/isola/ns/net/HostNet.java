package io.isola.ns.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
        return Stream.concat(
                        run("iptables", "-S").lines(),
                        run("iptables", "-t", "nat", "-S").lines())
                .sorted()
                .toList();
    }

    /** host-local's lease files in one network's directory. */
    static TreeSet<String> leases(Path dir) throws IOException {
        TreeSet<String> files = new TreeSet<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.map(p -> p.getFileName().toString())
                        .filter(n -> !n.equals("lock") && !n.startsWith("last_reserved_ip"))
                        .forEach(files::add);
            }
        }
        return files;
    }

    /**
     * One snapshot of what belongs to one network: its bridge and the links attached to it, the
     * iptables rules that name the network or its subnet and every rule of the chains those jump
     * to, and its leases. Other networks and other tests running beside are left out.
     */
    record Snapshot(TreeSet<String> links, List<String> rules, TreeSet<String> leases) {
        static Snapshot take(String network, String bridge, String subnetPrefix, Path leaseDir) throws Exception {
            TreeSet<String> links = new TreeSet<>();
            if (HostNet.links().contains(bridge)) {
                links.add(bridge);
                for (String line : run("ip", "-o", "link", "show", "master", bridge)
                        .lines()
                        .toList()) {
                    links.add(line.split(":\\s+")[1].replaceAll("@.*", ""));
                }
            }
            return new Snapshot(links, rulesOf(network, subnetPrefix), HostNet.leases(leaseDir));
        }
    }

    private static List<String> rulesOf(String network, String subnetPrefix) throws Exception {
        List<String> all = iptables();
        Set<String> mine = new TreeSet<>();
        Set<String> chains = new HashSet<>();
        for (String rule : all) {
            if (rule.contains("name: \\\"" + network + "\\\"") || rule.contains(" " + subnetPrefix)) {
                mine.add(rule);
                Matcher jump = Pattern.compile(" -j (CNI-[A-Za-z0-9-]+)").matcher(rule);
                if (jump.find() && !jump.group(1).startsWith("CNI-HOSTPORT-")) {
                    chains.add(jump.group(1));
                }
            }
        }
        for (String rule : all) {
            for (String chain : chains) {
                if (rule.startsWith("-A " + chain + " ") || rule.equals("-N " + chain)) {
                    mine.add(rule);
                }
            }
        }
        return List.copyOf(mine);
    }
}
