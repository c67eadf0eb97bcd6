package io.isola.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What the containers of {@link KilledRuntimeIT} hold on the host, by kind, found through the
 * test's own names only (its network, cgroup parent, directories and a marker in the command
 * line), and the moments of a start at which a kill is aimed, each seen as a new resource of its
 * kind appearing.
 */
final class KillLeftovers {

    static final Map<String, Integer> NONE = Map.of(
            "processes",
            0,
            "cgroups",
            0,
            "mounts",
            0,
            "iptables rules",
            0,
            "leases",
            0,
            "veths",
            0,
            "layers",
            0,
            "state entries",
            0);
    private static final List<String> KINDS =
            List.of("processes", "cgroups", "mounts", "iptables rules", "leases", "veths", "layers", "state entries");

    private final String network;
    private final String cgroupParent;
    private final Path tmp;
    private final String marker;
    private final String subnet;
    private final int hostPort;
    /** The containers' state directories when the current start began: the new one is its container's. */
    private Set<String> stateAtStart = Set.of();

    private String newId;

    KillLeftovers(String network, String cgroupParent, Path tmp, String marker) throws IOException {
        this.network = network;
        this.cgroupParent = cgroupParent;
        this.tmp = tmp;
        this.marker = marker;
        this.subnet = "10.239." + (ProcessHandle.current().pid() % 200 + 20) + ".";
        try (ServerSocket probe = new ServerSocket(0)) {
            this.hostPort = Math.min(probe.getLocalPort(), 65000);
        }
        reset();
    }

    int hostPort() {
        return hostPort;
    }

    /** The test's configuration directory: its own network, subnet, network state and cgroup parent. */
    Path writeConfig(Path dir) throws IOException {
        Files.writeString(dir.resolve("isola.properties"), "plugins =\n");
        Files.writeString(dir.resolve("io.isola.ns.cgroup.cfg"), "parent = " + cgroupParent + "\n");
        Files.writeString(
                dir.resolve("io.isola.ns.net.cfg"),
                "network = " + network + "\nsubnet = " + subnet + "0/24\n" + "cniPath = /usr/lib/cni\nconfigDir = "
                        + tmp.resolve("net.d") + "\nruntimeDir = " + netRuntime() + "\n");
        return dir;
    }

    /** Takes what exists now as the start of the next kill's start. */
    void reset() {
        try (Stream<Path> dirs = list(tmp.resolve("state"))) {
            stateAtStart = dirs.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
        newId = null;
    }

    /**
     * The id of the container the current start registered, once its state exists: a new
     * directory. The root's own files (its event log, made by the first event) are no container's:
     * taken for one, a moment that waits for that container's cgroup or lease never comes.
     */
    private String newId() {
        if (newId == null) {
            try (Stream<Path> dirs = list(tmp.resolve("state"))) {
                newId = dirs.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                        .map(p -> p.getFileName().toString())
                        .filter(name -> !name.startsWith("."))
                        .filter(name -> !stateAtStart.contains(name))
                        .findFirst()
                        .orElse(null);
            }
        }
        return newId;
    }

    boolean stateWritten() {
        return newId() != null;
    }

    boolean cgroupMade() {
        return stateWritten() && Files.isDirectory(Path.of("/sys/fs/cgroup/pids", cgroupParent, newId()));
    }

    boolean networkStateWritten() {
        return stateWritten()
                && Files.exists(
                        netRuntime().resolve("containers").resolve(newId()).resolve("state.json"));
    }

    boolean namespacePinned() {
        return stateWritten() && lines(Path.of("/proc/self/mountinfo")).contains(newId());
    }

    boolean addressLeased() {
        if (!stateWritten()) {
            return false;
        }
        try (Stream<Path> leases = list(netRuntime().resolve("ipam").resolve(network))) {
            return leases.anyMatch(lease -> lines(lease).contains(newId()));
        }
    }

    boolean portForwarded() {
        return stateWritten() && iptables().stream().anyMatch(rule -> rule.contains("dnat") && rule.contains(newId()));
    }

    /** The container's command has replaced the clone of the CLI (whose command line also holds the marker). */
    boolean commandRuns() {
        if (!stateWritten()) {
            return false;
        }
        try (Stream<Path> procs = list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .anyMatch(p -> lines(p.resolve("cmdline")).equals("sleep\0" + marker + "\0")
                            && lines(p.resolve("cgroup")).contains(newId()));
        }
    }

    private static String lines(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** True from {@code millis} after {@code first} became true. */
    BooleanSupplier after(BooleanSupplier first, long millis) {
        long[] since = {-1};
        return () -> {
            if (since[0] < 0 && first.getAsBoolean()) {
                since[0] = System.nanoTime();
            }
            return since[0] >= 0 && System.nanoTime() - since[0] >= TimeUnit.MILLISECONDS.toNanos(millis);
        };
    }

    /**
     * Waits until {@code moment} or until the CLI ended by itself; whether the moment came. A moment
     * that does not come in 90 s while the CLI runs is the test's fault (it looks for the wrong
     * thing), not a kill to count.
     */
    boolean await(BooleanSupplier moment, Process cli) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (cli.isAlive()) {
            if (moment.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "the moment did not come in 90 s of a start that runs on (new state: " + newId() + ")");
            }
            Thread.sleep(5);
        }
        return false;
    }

    Map<String, Integer> count() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String kind : KINDS) {
            counts.put(kind, count(kind));
        }
        return counts;
    }

    private int count(String kind) {
        try {
            return switch (kind) {
                case "processes" -> processes();
                case "cgroups" -> cgroups();
                case "mounts" ->
                    (int) Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                            .filter(line -> line.contains(tmp.toString()))
                            .count();
                case "iptables rules" ->
                    (int) iptables().stream()
                            .filter(rule -> rule.contains("\"" + network + "\"") || rule.contains(subnet))
                            .count();
                case "leases" ->
                    entries(netRuntime().resolve("ipam").resolve(network), name -> name.matches("[0-9.]+"));
                case "veths" -> veths();
                case "layers" -> entries(tmp.resolve("store").resolve("containers"), name -> true);
                // the root's locks and its event log (events.jsonl, rotated to .1) are the store's, not a container's
                case "state entries" ->
                    entries(tmp.resolve("state"), name -> !name.startsWith(".") && !name.startsWith("events."))
                            + entries(netRuntime().resolve("containers"), name -> true);
                default -> throw new IllegalArgumentException(kind);
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The state entries left, by path, for a failure's message. */
    String describe() {
        return Stream.concat(list(tmp.resolve("state")), list(netRuntime().resolve("containers")))
                .map(p -> p + (Files.isDirectory(p) ? " " + listNames(p) : ""))
                .toList()
                .toString();
    }

    private static List<String> listNames(Path dir) {
        try (Stream<Path> entries = list(dir)) {
            return entries.map(p -> p.getFileName().toString()).toList();
        }
    }

    private int processes() throws IOException {
        int found = 0;
        try (Stream<Path> procs = list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .toList()) {
                try (InputStream in = Files.newInputStream(proc.resolve("cmdline"))) {
                    String line = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    if (line.equals("sleep\0" + marker + "\0")
                            && !Files.readString(proc.resolve("stat")).matches("^\\d+ \\(.*\\) Z.*")) {
                        found++;
                    }
                } catch (IOException gone) {
                    // ended meanwhile
                }
            }
        }
        return found;
    }

    /** The cgroups under the test's parent in every hierarchy (co-mounted controllers counted once). */
    private int cgroups() throws IOException {
        Set<Path> found = new HashSet<>();
        try (Stream<Path> hierarchies = list(Path.of("/sys/fs/cgroup"))) {
            for (Path hierarchy : hierarchies.toList()) {
                Path parent = hierarchy.toRealPath().resolve(cgroupParent);
                if (Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) {
                    try (Stream<Path> children = Files.list(parent)) {
                        children.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                                .forEach(found::add);
                    }
                }
            }
        }
        return found.size();
    }

    private int veths() {
        String bridge = bridge();
        if (bridge == null) {
            return 0;
        }
        return (int) run("ip", "-o", "link", "show", "master", bridge)
                .lines()
                .filter(l -> !l.isBlank())
                .count();
    }

    /** The bridge of the test's network, as its generated configuration names it; null before it exists. */
    private String bridge() {
        try (Stream<Path> files = list(tmp.resolve("net.d"))) {
            for (Path file : files.toList()) {
                for (JsonNode plugin :
                        new ObjectMapper().readTree(file.toFile()).path("plugins")) {
                    if (plugin.hasNonNull("bridge")) {
                        return plugin.get("bridge").asText();
                    }
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    private List<String> iptables() {
        return Stream.of("nat", "filter")
                .flatMap(table -> run("iptables", "-w", "-t", table, "-S").lines())
                .toList();
    }

    /** Removes the test's bridge, its cgroup parent and portmap's shared chains unless another network uses them. */
    void removeNetwork() {
        String bridge = bridge();
        if (bridge != null) {
            run("ip", "link", "del", bridge);
        }
        try (Stream<Path> hierarchies = list(Path.of("/sys/fs/cgroup"))) {
            for (Path hierarchy : hierarchies.toList()) {
                Files.deleteIfExists(hierarchy.resolve(cgroupParent));
            }
        } catch (IOException e) {
            // a child left: the counts said so already
        }
        if (run("iptables", "-w", "-t", "nat", "-S", "CNI-HOSTPORT-DNAT")
                .lines()
                .noneMatch(l -> l.startsWith("-A"))) {
            run(
                    "iptables",
                    "-w",
                    "-t",
                    "nat",
                    "-D",
                    "PREROUTING",
                    "-m",
                    "addrtype",
                    "--dst-type",
                    "LOCAL",
                    "-j",
                    "CNI-HOSTPORT-DNAT");
            run(
                    "iptables",
                    "-w",
                    "-t",
                    "nat",
                    "-D",
                    "OUTPUT",
                    "-m",
                    "addrtype",
                    "--dst-type",
                    "LOCAL",
                    "-j",
                    "CNI-HOSTPORT-DNAT");
            run(
                    "iptables",
                    "-w",
                    "-t",
                    "nat",
                    "-D",
                    "POSTROUTING",
                    "-m",
                    "comment",
                    "--comment",
                    "CNI portfwd requiring masquerade",
                    "-j",
                    "CNI-HOSTPORT-MASQ");
            for (String chain : List.of("CNI-HOSTPORT-DNAT", "CNI-HOSTPORT-MASQ", "CNI-HOSTPORT-SETMARK")) {
                run("iptables", "-w", "-t", "nat", "-F", chain);
                run("iptables", "-w", "-t", "nat", "-X", chain);
            }
        }
    }

    private Path netRuntime() {
        return tmp.resolve("netrun");
    }

    private static int entries(Path dir, Predicate<String> counted) {
        try (Stream<Path> entries = list(dir)) {
            return (int)
                    entries.map(p -> p.getFileName().toString()).filter(counted).count();
        }
    }

    private static Stream<Path> list(Path dir) {
        try {
            return Files.isDirectory(dir) ? Files.list(dir) : Stream.empty();
        } catch (IOException e) {
            return Stream.empty();
        }
    }

    private static String run(String... command) {
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(30, TimeUnit.SECONDS);
            return output;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
