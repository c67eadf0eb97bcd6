package io.isola.ns.cgroup;

import io.isola.api.CgroupTuning;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link CgroupTuning} as the files of the host's layout, for both drivers. Each setting goes to
 * the v1 hierarchy of its controller where one is mounted, else to the cgroup2 hierarchy where it
 * offers the controller (a hybrid host's hugetlb is there), else it is refused naming the
 * controller and the layout. What the kernel dropped on cgroup v2 (swappiness, the OOM killer
 * switch, kernel TCP memory, net_cls and net_prio) is ignored there with a debug line, as runc
 * ignores it. The same walk checks (before anything exists) and writes (into the made cgroup).
 */
final class TuningFiles {

    private static final Logger LOG = LoggerFactory.getLogger(TuningFiles.class);
    private static final Path HUGEPAGES = Path.of("/sys/kernel/mm/hugepages");

    /** Where one container's files are on this host. */
    interface Places {
        /** The host's cgroup layout in words, for messages. */
        String layout();

        /** The root of the v1 hierarchy that has {@code controller}, if one is mounted. */
        Optional<Path> v1Root(String controller);

        /** The cgroup2 hierarchy's root, if the host has one that containers join. */
        Optional<Path> v2Root();

        /** The controllers the cgroup2 hierarchy offers (empty without one). */
        Set<String> v2Controllers();

        /** Whether the host has only cgroup v2 (no v1 hierarchy at all). */
        default boolean pureV2() {
            return v2Root().isPresent() && !hasV1();
        }

        boolean hasV1();
    }

    private final Places places;
    /** The container's cgroup below each root; null while checking (nothing is written then). */
    private final String path;

    private TuningFiles(Places places, String path) {
        this.places = places;
        this.path = path;
    }

    /** Refuses what the host cannot apply; creates nothing. */
    static void check(Places places, CgroupTuning tuning) {
        try {
            new TuningFiles(places, null).apply(tuning);
        } catch (IOException e) {
            throw new IllegalStateException("checking writes nothing", e);
        }
    }

    /** Writes {@code tuning} into the container's cgroup {@code path}, made by the driver's create. */
    static void write(Places places, String path, CgroupTuning tuning) throws IOException {
        new TuningFiles(places, path).apply(tuning);
    }

    private void apply(CgroupTuning t) throws IOException {
        if (t.cpusetMems().isPresent()) {
            write(
                    "cpu.mems",
                    "cpuset",
                    "cpuset.mems",
                    "cpuset.mems",
                    t.cpusetMems().get());
        }
        if (t.realtimeRuntime().isPresent() || t.realtimePeriod().isPresent()) {
            realtime(t);
        }
        if (t.cpuIdle().isPresent()) {
            write(
                    "cpu.idle",
                    "cpu",
                    "cpu.idle",
                    "cpu.idle",
                    Long.toString(t.cpuIdle().getAsLong()));
        }
        if (t.memorySwappiness().isPresent()) {
            v1Only(
                    "memory.swappiness",
                    "memory",
                    "memory.swappiness",
                    Long.toString(t.memorySwappiness().getAsLong()));
        }
        if (t.oomKillDisabled()) {
            v1Only("memory.disableOOMKiller", "memory", "memory.oom_control", "1");
        }
        if (t.kernelTcp().isPresent()) {
            kernelTcp(t.kernelTcp().getAsLong());
        }
        for (Map.Entry<String, Long> limit : t.hugepageLimits().entrySet()) {
            hugepages(limit.getKey(), limit.getValue());
        }
        if (t.netClassId().isPresent()) {
            v1Only(
                    "network.classID",
                    "net_cls",
                    "net_cls.classid",
                    Long.toString(t.netClassId().getAsLong()));
        }
        for (Map.Entry<String, Long> priority : t.netPriorities().entrySet()) {
            v1Only(
                    "network.priorities",
                    "net_prio",
                    "net_prio.ifpriomap",
                    priority.getKey() + " " + priority.getValue());
        }
        for (Map.Entry<String, String> file : t.unified().entrySet()) {
            unified(file.getKey(), file.getValue());
        }
    }

    /** A setting both layouts have: the v1 file where the controller is on v1, else the v2 one. */
    private void write(String field, String controller, String v1File, String v2File, String value) throws IOException {
        Optional<Path> v1 = places.v1Root(controller);
        if (v1.isPresent()) {
            put(v1.get(), v1File, value);
        } else if (places.v2Controllers().contains(controller)) {
            putV2(controller, v2File, value);
        } else {
            throw missing(field, controller);
        }
    }

    /** A v1 setting that cgroup v2 dropped: ignored on a pure v2 host, as runc ignores it; refused where v1 lacks it. */
    private void v1Only(String field, String controller, String file, String value) throws IOException {
        Optional<Path> v1 = places.v1Root(controller);
        if (v1.isPresent()) {
            put(v1.get(), file, value);
        } else if (places.pureV2()) {
            if (path != null) {
                LOG.debug("linux.resources.{}: cgroup v2 has no {}; ignored, as runc ignores it", field, file);
            }
        } else {
            throw missing(field, controller);
        }
    }

    /** v1's real-time budget; cgroup v2 has no real-time group scheduling. */
    private void realtime(CgroupTuning t) throws IOException {
        String field = "cpu.realtimeRuntime";
        Optional<Path> v1 = places.v1Root("cpu");
        if (v1.isEmpty() || !Files.exists(v1.get().resolve("cpu.rt_runtime_us"))) {
            throw new IllegalArgumentException(
                    "linux.resources." + field + ": this host's kernel has no real-time group"
                            + " scheduling (cpu.rt_runtime_us of a cgroup v1 cpu hierarchy; cgroup v2 has none); its layout: "
                            + places.layout());
        }
        // the period first: the kernel checks the runtime against the period in force
        if (t.realtimePeriod().isPresent()) {
            put(v1.get(), "cpu.rt_period_us", Long.toString(t.realtimePeriod().getAsLong()));
        }
        if (t.realtimeRuntime().isPresent() && path != null) {
            try {
                put(
                        v1.get(),
                        "cpu.rt_runtime_us",
                        Long.toString(t.realtimeRuntime().getAsLong()));
            } catch (IOException e) {
                throw new IOException(
                        "linux.resources." + field + " " + t.realtimeRuntime().getAsLong() + ": the kernel"
                                + " refused it (" + e.getMessage()
                                + "); a cgroup gets no more real-time budget than its parent"
                                + " has left ("
                                + v1.get().resolve(path).getParent().resolve("cpu.rt_runtime_us") + ")",
                        e);
            }
        }
    }

    /** Kernel TCP memory: v1 still limits it where the file exists; otherwise the kernel dropped it. */
    private void kernelTcp(long bytes) throws IOException {
        Optional<Path> memory = places.v1Root("memory");
        if (memory.isPresent() && Files.exists(memory.get().resolve("memory.kmem.tcp.limit_in_bytes"))) {
            put(memory.get(), "memory.kmem.tcp.limit_in_bytes", Long.toString(bytes));
        } else if (path != null) {
            LOG.debug(
                    "linux.resources.memory.kernelTCP: this host's memory controller has no kernel TCP limit; ignored,"
                            + " as runc ignores it");
        }
    }

    private void hugepages(String size, long bytes) throws IOException {
        String field = "hugepageLimits " + size;
        long kb = Long.parseLong(size.substring(0, size.length() - 2))
                << switch (size.substring(size.length() - 2)) {
                    case "GB" -> 20;
                    case "MB" -> 10;
                    default -> 0;
                };
        if (!Files.isDirectory(HUGEPAGES.resolve("hugepages-" + kb + "kB"))) {
            throw new IllegalArgumentException("linux.resources." + field
                    + ": this host has no huge pages of that size;" + " it has " + hostPageSizes());
        }
        write(
                field,
                "hugetlb",
                "hugetlb." + size + ".limit_in_bytes",
                "hugetlb." + size + ".max",
                Long.toString(bytes));
    }

    private static String hostPageSizes() {
        try (var sizes = Files.list(HUGEPAGES)) {
            return sizes.map(p -> p.getFileName().toString().replace("hugepages-", ""))
                    .sorted()
                    .toList()
                    .toString();
        } catch (IOException e) {
            return "none";
        }
    }

    /** A cgroup v2 file: only on the cgroup2 hierarchy, for a controller it offers (or a core cgroup. file). */
    private void unified(String file, String value) throws IOException {
        String field = "unified." + file;
        String controller = file.substring(0, file.indexOf('.'));
        boolean core = controller.equals("cgroup");
        if (places.v2Root().isEmpty() || !(core || places.v2Controllers().contains(controller))) {
            String where = places.v1Root(controller).isPresent()
                    ? "this host has the " + controller + " controller on"
                            + " cgroup v1, whose files unified cannot set (runc refuses unified on v1 too)"
                    : "this host has no " + controller + " controller";
            throw new IllegalArgumentException(
                    "linux.resources." + field + ": " + where + "; its layout: " + places.layout());
        }
        if (path == null) {
            return;
        }
        Path dir = places.v2Root().get().resolve(path);
        if (!core) {
            enableDownTo(controller);
        }
        if (!Files.isRegularFile(dir.resolve(file), LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("linux.resources." + field + ": no such file in the container's cgroup "
                    + dir + "; expected a file of the " + controller + " controller's");
        }
        CgroupFiles.write(dir.resolve(file), value);
    }

    private void putV2(String controller, String file, String value) throws IOException {
        if (path != null) {
            enableDownTo(controller);
            CgroupFiles.write(places.v2Root().get().resolve(path).resolve(file), value);
        }
    }

    private void put(Path root, String file, String value) throws IOException {
        if (path != null) {
            CgroupFiles.write(root.resolve(path).resolve(file), value);
        }
    }

    /** A v2 controller works in a cgroup only when every ancestor enables it for its children. */
    private void enableDownTo(String controller) throws IOException {
        Path dir = places.v2Root().get();
        enable(dir, controller);
        List<String> names = List.of(path.split("/"));
        for (String name : names.subList(0, names.size() - 1)) {
            dir = dir.resolve(name);
            enable(dir, controller);
        }
    }

    private static void enable(Path dir, String controller) throws IOException {
        Path control = dir.resolve("cgroup.subtree_control");
        if (!Set.of(CgroupFiles.read(control).split("\\s+")).contains(controller)) {
            CgroupFiles.write(control, "+" + controller);
        }
    }

    private IllegalArgumentException missing(String field, String controller) {
        return new IllegalArgumentException("linux.resources." + field + ": this host has no " + controller
                + " controller (neither a cgroup v1 hierarchy nor in cgroup v2); its layout: " + places.layout());
    }
}
