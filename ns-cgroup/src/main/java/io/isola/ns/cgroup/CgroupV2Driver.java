package io.isola.ns.cgroup;

import io.isola.api.Devices;
import io.isola.api.ResourceStats;
import io.isola.api.Resources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * cgroup v2: one unified hierarchy. A controller works in a cgroup only when every ancestor lists
 * it in {@code cgroup.subtree_control}, so the driver enables the controllers it uses on the way
 * down from the root; the leaf enables nothing, as the kernel's "no internal processes" rule wants
 * processes only in leaves. Devices: a BPF program on the container's cgroup ({@link DeviceFilter}),
 * which needs no controller.
 */
final class CgroupV2Driver implements CgroupDriver {

    /** The controllers a container's cgroup gets when the hierarchy offers them (for limits and stats). */
    private static final List<String> WANTED = List.of("cpu", "cpuset", "io", "memory", "pids");

    private final Path root;
    private final HostCpus cpus;
    private final DeviceFilter filter;
    private final CgroupTree.Parents parents = new CgroupTree.Parents();

    CgroupV2Driver(Path root, HostCpus cpus) {
        this(root, cpus, DeviceFilter.KERNEL);
    }

    CgroupV2Driver(Path root, HostCpus cpus, DeviceFilter filter) {
        this.root = root;
        this.cpus = cpus;
        this.filter = filter;
    }

    @Override
    public String name() {
        return "cgroup v2";
    }

    Path root() {
        return root;
    }

    /** The controllers the root offers to its subtree. */
    Set<String> available() {
        try {
            // in the kernel's order, for messages
            return new LinkedHashSet<>(
                    List.of(CgroupFiles.read(root.resolve("cgroup.controllers")).split("\\s+")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the controllers of " + root, e);
        }
    }

    @Override
    public HostLayout layout() {
        return new HostLayout(List.of(), Optional.of(root), available());
    }

    @Override
    public void check(Resources r) {
        Set<String> available = available();
        if (r.memory().isPresent() || r.memorySwap().isPresent()) {
            require(available, "memory", "memory limit");
        }
        if (r.cpus().isPresent() || r.cpuShares().isPresent()) {
            require(available, "cpu", r.cpus().isPresent() ? "cpus limit" : "cpu shares");
        }
        if (r.cpusetCpus().isPresent()) {
            require(available, "cpuset", "cpuset cpus");
        }
        if (r.pidsLimit().isPresent()) {
            require(available, "pids", "pids limit");
        }
        if (r.memoryReservation().isPresent()) {
            require(available, "memory", "memory reservation");
        }
        if (r.oomKillGroup()) {
            require(available, "memory", "oom kill group");
        }
        if (r.blkioWeight().isPresent() || !r.ioThrottles().isEmpty()) {
            require(available, "io", r.blkioWeight().isPresent() ? "blkio weight" : "device i/o limits");
        }
        cpus.check(r);
    }

    private void require(Set<String> available, String controller, String what) {
        if (!available.contains(controller)) {
            throw new IllegalArgumentException(what + ": the cgroup v2 hierarchy at " + root + " has no " + controller
                    + " controller (it offers: " + String.join(" ", available).trim() + ")");
        }
    }

    @Override
    public Cgroup create(String path, Resources r, List<Devices.Rule> devices) throws IOException {
        Set<String> enable = new LinkedHashSet<>(WANTED);
        enable.retainAll(available());
        // the root's and each parent's controllers once per parent, made or found: parents are kept
        Path leaf = CgroupTree.create(root, path, parents, (dir, parent, isLeaf) -> {
            if (parent.equals(root)) {
                enableIn(root, enable);
            }
            if (!isLeaf) {
                enableIn(dir, enable);
            }
        });
        V2Cgroup cgroup = new V2Cgroup(path, leaf);
        try {
            apply(leaf, r);
            if (devices != null && filter.supported()) {
                // before any process joins: the child's setup already runs under the filter
                filter.attach(leaf, devices);
            }
            return cgroup;
        } catch (IOException | RuntimeException e) {
            cgroup.destroy();
            throw e;
        }
    }

    /** Adds the controllers missing from {@code dir}'s subtree_control, one write each so one refusal names itself. */
    private static void enableIn(Path dir, Set<String> controllers) throws IOException {
        Set<String> enabled =
                Set.of(CgroupFiles.read(dir.resolve("cgroup.subtree_control")).split("\\s+"));
        for (String controller : controllers) {
            if (!enabled.contains(controller)) {
                CgroupFiles.write(dir.resolve("cgroup.subtree_control"), "+" + controller);
            }
        }
    }

    private static void apply(Path dir, Resources r) throws IOException {
        if (r.memory().isPresent()) {
            long memory = r.memory().getAsLong();
            CgroupFiles.write(dir.resolve("memory.max"), Long.toString(memory));
            // v2 limits swap alone; Docker's --memory-swap is memory plus swap, unset meaning twice the memory
            long total = r.memorySwap().orElse(2 * memory);
            Path swapMax = dir.resolve("memory.swap.max");
            if (total == Resources.UNLIMITED) {
                writeIfPresent(swapMax, "max", r.memorySwap().isPresent());
            } else {
                writeIfPresent(
                        swapMax, Long.toString(total - memory), r.memorySwap().isPresent());
            }
        }
        if (r.cpus().isPresent()) {
            CpuQuota quota = CpuQuota.of(r.cpus().get());
            CgroupFiles.write(dir.resolve("cpu.max"), quota.quotaMicros() + " " + quota.periodMicros());
        }
        if (r.cpuShares().isPresent()) {
            CgroupFiles.write(
                    dir.resolve("cpu.weight"),
                    Long.toString(CpuQuota.weightOfShares(r.cpuShares().getAsInt())));
        }
        if (r.cpusetCpus().isPresent()) {
            CgroupFiles.write(dir.resolve("cpuset.cpus"), r.cpusetCpus().get());
        }
        if (r.pidsLimit().isPresent()) {
            long limit = r.pidsLimit().getAsLong();
            CgroupFiles.write(dir.resolve("pids.max"), limit == Resources.UNLIMITED ? "max" : Long.toString(limit));
        }
        if (r.memoryReservation().isPresent()) {
            // memory.high throttles and reclaims above it, as v1's soft limit asks: Docker's reservation
            CgroupFiles.write(
                    dir.resolve("memory.high"),
                    Long.toString(r.memoryReservation().getAsLong()));
        }
        if (r.oomKillGroup()) {
            CgroupFiles.write(dir.resolve("memory.oom.group"), "1");
        }
        BlockIoFiles.applyV2(dir, r);
    }

    /** Swap files exist only where the kernel accounts swap; an explicit request there is an error. */
    private static void writeIfPresent(Path file, String value, boolean required) throws IOException {
        if (Files.exists(file)) {
            CgroupFiles.write(file, value);
        } else if (required) {
            throw new IOException(
                    "cannot limit swap: this kernel does not account swap (no " + file.getFileName() + ")");
        }
    }

    /**
     * cgroup v2 filters devices with a BPF program attached to the cgroup. Where the kernel will not
     * load one for us, the default list goes unenforced (the isolator drops CAP_MKNOD instead, see
     * {@link MknodFallback}), and rules of the container's own are refused rather than silently ignored.
     */
    @Override
    public void checkDevices(List<Devices.Rule> devices, boolean ownRules) {
        if (devices == null) {
            return;
        }
        if (filter.supported()) {
            filter.check(devices);
            return;
        }
        if (ownRules) {
            throw new IllegalArgumentException("device rules "
                    + devices.subList(DeviceAccess.DEFAULTS.size(), devices.size()).stream()
                            .map(Devices.Rule::line)
                            .toList()
                    + ": this kernel does not load a BPF device filter for isola, "
                    + "so device rules cannot be enforced on cgroup v2; drop them or run with --privileged");
        }
    }

    /** Whether the kernel loads the BPF device filter for us. */
    @Override
    public boolean filtersDevices() {
        return filter.supported();
    }

    @Override
    public Optional<Cgroup> open(String path) {
        Path dir = root.resolve(path);
        return Files.isDirectory(dir) ? Optional.of(new V2Cgroup(path, dir)) : Optional.empty();
    }

    @Override
    public List<Cgroup> children(String parent) throws IOException {
        List<Cgroup> found = new ArrayList<>();
        for (String name : CgroupTree.subdirectories(root.resolve(parent))) {
            found.add(new V2Cgroup(parent + "/" + name, root.resolve(parent).resolve(name)));
        }
        return found;
    }

    @Override
    public List<CgroupfsMount> mounts() {
        return List.of(new CgroupfsMount("/sys/fs/cgroup", "cgroup2", null));
    }

    private final class V2Cgroup implements Cgroup {
        private final String path;
        private final Path dir;

        V2Cgroup(String path, Path dir) {
            this.path = path;
            this.dir = dir;
        }

        @Override
        public String path() {
            return path;
        }

        @Override
        public FileTime created() throws IOException {
            return Files.getLastModifiedTime(dir);
        }

        @Override
        public Map<String, String> dirs() {
            return Map.of("unified", dir.toString());
        }

        @Override
        public List<Path> procsFiles() {
            return List.of(dir.resolve("cgroup.procs"));
        }

        @Override
        public void join(long pid) throws IOException {
            CgroupFiles.write(dir.resolve("cgroup.procs"), Long.toString(pid));
        }

        @Override
        public void update(Resources resources) throws IOException {
            apply(dir, resources);
        }

        @Override
        public void freeze() throws IOException {
            CgroupFiles.write(dir.resolve("cgroup.freeze"), "1");
            for (int round = 0; round < 200; round++) {
                if (frozen()) {
                    return;
                }
                CgroupTree.sleep(10);
            }
            CgroupFiles.write(dir.resolve("cgroup.freeze"), "0");
            throw new IOException("the cgroup " + path + " did not freeze within 2 s");
        }

        @Override
        public void thaw() throws IOException {
            CgroupFiles.write(dir.resolve("cgroup.freeze"), "0");
        }

        @Override
        public boolean frozen() throws IOException {
            return CgroupFiles.readKeyed(dir.resolve("cgroup.events")).getOrDefault("frozen", 0L) == 1;
        }

        @Override
        public ResourceStats stats() throws IOException {
            boolean memory = Files.exists(dir.resolve("memory.current"));
            boolean pids = Files.exists(dir.resolve("pids.current"));
            long usec = CgroupFiles.readKeyed(dir.resolve("cpu.stat")).getOrDefault("usage_usec", 0L);
            Path events = dir.resolve("memory.events");
            BlockIoStats io = BlockIoStats.v2(dir);
            return new ResourceStats(
                    memory ? CgroupFiles.readLong(dir.resolve("memory.current")) : 0,
                    memory
                            ? CgroupV1Driver.optional(CgroupFiles.readLimit(dir.resolve("memory.max")))
                            : OptionalLong.empty(),
                    Duration.ofNanos(usec * 1000),
                    pids
                            ? CgroupFiles.readLong(dir.resolve("pids.current"))
                            : CgroupFiles.readPids(dir.resolve("cgroup.threads"))
                                    .size(),
                    pids
                            ? CgroupV1Driver.optional(CgroupFiles.readLimit(dir.resolve("pids.max")))
                            : OptionalLong.empty(),
                    Files.exists(events) ? CgroupFiles.readKeyed(events) : Map.of(),
                    CgroupPressure.read(dir),
                    io.read(),
                    io.written());
        }

        @Override
        public long oomKills() throws IOException {
            Path events = dir.resolve("memory.events");
            return Files.exists(events) ? CgroupFiles.readKeyed(events).getOrDefault("oom_kill", 0L) : 0;
        }

        @Override
        public boolean destroy() {
            CgroupTree.killAtOnce(dir);
            // v2's freezer lets SIGKILL through, so freezing first only stops a fork loop racing the kill
            CgroupReaper.killAll(
                    List.of(dir.resolve("cgroup.procs")),
                    Files.exists(dir.resolve("cgroup.freeze"))
                            ? new CgroupReaper.Freezer() {
                                @Override
                                public void freeze() throws IOException {
                                    CgroupFiles.write(dir.resolve("cgroup.freeze"), "1");
                                }

                                @Override
                                public void thaw() throws IOException {
                                    CgroupFiles.write(dir.resolve("cgroup.freeze"), "0");
                                }
                            }
                            : null);
            return CgroupTree.remove(root, path);
        }
    }
}
