package io.isola.ns.cgroup;

import io.isola.api.Devices;
import io.isola.api.ResourceStats;
import io.isola.api.Resources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * cgroup v1: one hierarchy per controller (or per group of co-mounted controllers). The container
 * gets a directory in every hierarchy, so every line of its {@code /proc/self/cgroup} is its own;
 * on a hybrid host the cgroup2 hierarchy beside them is joined too (it carries no limits, but its
 * {@code cgroup.kill} empties the container in one write).
 */
final class CgroupV1Driver implements CgroupDriver {

    private static final String ROOT = "/sys/fs/cgroup";

    private final List<Hierarchy> hierarchies;
    private final Optional<Hierarchy> unified;
    private final HostCpus cpus;
    private final DeviceFilter filter;
    private final CgroupTree.Parents parents = new CgroupTree.Parents();

    CgroupV1Driver(List<Hierarchy> v1, Optional<Hierarchy> unified, HostCpus cpus) {
        this(v1, unified, cpus, DeviceFilter.KERNEL);
    }

    CgroupV1Driver(List<Hierarchy> v1, Optional<Hierarchy> unified, HostCpus cpus, DeviceFilter filter) {
        this.hierarchies = List.copyOf(v1);
        this.unified = unified;
        this.cpus = cpus;
        this.filter = filter;
    }

    @Override
    public String name() {
        return unified.isPresent() ? "cgroup v1 (hybrid)" : "cgroup v1";
    }

    @Override
    public HostLayout layout() {
        return new HostLayout(
                hierarchies,
                unified.map(Hierarchy::mountPoint),
                unified.map(h -> HostLayout.controllersOf(h.mountPoint())).orElse(Set.of()));
    }

    @Override
    public void check(Resources r) {
        if (r.memory().isPresent() || r.memorySwap().isPresent()) {
            require("memory", "memory limit");
        }
        if (r.memorySwap().isPresent()
                && r.memorySwap().getAsLong() != Resources.UNLIMITED
                && !Files.exists(mountOf("memory").resolve("memory.memsw.limit_in_bytes"))) {
            throw new IllegalArgumentException(
                    "memory+swap limit " + r.memorySwap().getAsLong()
                            + " bytes: this host's kernel does not account swap (no memory.memsw.limit_in_bytes)");
        }
        if (r.cpus().isPresent() || r.cpuShares().isPresent()) {
            require("cpu", r.cpus().isPresent() ? "cpus limit" : "cpu shares");
        }
        if (r.cpusetCpus().isPresent()) {
            require("cpuset", "cpuset cpus");
        }
        if (r.pidsLimit().isPresent()) {
            require("pids", "pids limit");
        }
        if (r.memoryReservation().isPresent()) {
            require("memory", "memory reservation");
        }
        if (r.oomKillGroup()) {
            throw new IllegalArgumentException(
                    "oom kill group: cgroup v1 has no memory.oom.group, its OOM killer takes one "
                            + "process at a time; it needs a cgroup v2 host");
        }
        checkBlockIo(r);
        cpus.check(r);
    }

    /** A blkio weight needs CFQ's or BFQ's file, which the none and mq-deadline schedulers do not give. */
    private void checkBlockIo(Resources r) {
        if (r.blkioWeight().isPresent() || !r.ioThrottles().isEmpty()) {
            require("blkio", r.blkioWeight().isPresent() ? "blkio weight" : "device i/o limits");
        }
        if (r.blkioWeight().isPresent()
                && BlockIoFiles.v1WeightFile(mountOf("blkio")).isEmpty()) {
            throw new IllegalArgumentException(
                    "blkio weight " + r.blkioWeight().getAsInt() + ": this host's cgroup v1 blkio "
                            + "controller offers no weight (no blkio.weight nor blkio.bfq.weight: its disks' I/O scheduler has none; "
                            + "BFQ has one)");
        }
    }

    private void require(String controller, String what) {
        if (find(controller).isEmpty()) {
            throw new IllegalArgumentException(
                    what + ": this host has no cgroup v1 " + controller + " hierarchy mounted");
        }
    }

    private Optional<Hierarchy> find(String controller) {
        return hierarchies.stream().filter(h -> h.has(controller)).findFirst();
    }

    private Path mountOf(String controller) {
        return find(controller).orElseThrow().mountPoint();
    }

    @Override
    public Cgroup create(String path, Resources r, List<Devices.Rule> devices) throws IOException {
        List<Hierarchy> created = new ArrayList<>();
        V1Cgroup cgroup = new V1Cgroup(path, created);
        try {
            for (Hierarchy h : allHierarchies()) {
                CgroupTree.create(h.mountPoint(), path, parents, (dir, parent, leaf) -> {
                    // a parent found, not made, too: its maker (another container starting at the
                    // same time) may not have given it its CPUs yet, and ours would copy nothing
                    if (h.has("cpuset")) {
                        inheritCpuset(h.mountPoint(), dir);
                        if (!leaf) {
                            // the kernel then copies the parent's CPUs and memory nodes into each new child
                            CgroupFiles.write(dir.resolve("cgroup.clone_children"), "1");
                        }
                    }
                });
                created.add(h);
            }
            apply(cgroup, r);
            if (devices != null) {
                allowOnly(cgroup, devices);
                filterInUnified(path, devices);
            }
            return cgroup;
        } catch (IOException | RuntimeException e) {
            cgroup.destroy();
            throw e;
        }
    }

    private List<Hierarchy> allHierarchies() {
        List<Hierarchy> all = new ArrayList<>(hierarchies);
        unified.ifPresent(all::add);
        return all;
    }

    /**
     * A new v1 cpuset has no CPUs and no memory nodes unless its parent has {@code
     * cgroup.clone_children}, and no task may join it until it has both: an empty one gets its
     * parent's, and a parent that is empty too (made by someone else) its own first.
     */
    private static void inheritCpuset(Path root, Path dir) throws IOException {
        Path parent = dir.getParent();
        for (String file : List.of("cpuset.cpus", "cpuset.mems")) {
            if (CgroupFiles.read(dir.resolve(file)).isEmpty()) {
                String value = CgroupFiles.read(parent.resolve(file));
                if (value.isEmpty() && !parent.equals(root)) {
                    inheritCpuset(root, parent);
                    value = CgroupFiles.read(parent.resolve(file));
                }
                CgroupFiles.write(dir.resolve(file), value);
            }
        }
    }

    private void apply(V1Cgroup cgroup, Resources r) throws IOException {
        if (r.memory().isPresent()) {
            long memory = r.memory().getAsLong();
            Path dir = cgroup.dir("memory");
            // memory first: the kernel keeps memsw >= memory at every moment
            CgroupFiles.write(dir.resolve("memory.limit_in_bytes"), Long.toString(memory));
            Path memsw = dir.resolve("memory.memsw.limit_in_bytes");
            long swap = r.memorySwap().orElse(2 * memory); // Docker: unset is twice the memory
            if (Files.exists(memsw)) {
                CgroupFiles.write(memsw, Long.toString(swap));
            }
        }
        if (r.cpus().isPresent()) {
            CpuQuota quota = CpuQuota.of(r.cpus().get());
            Path dir = cgroup.dir("cpu");
            CgroupFiles.write(dir.resolve("cpu.cfs_period_us"), Long.toString(quota.periodMicros()));
            CgroupFiles.write(dir.resolve("cpu.cfs_quota_us"), Long.toString(quota.quotaMicros()));
        }
        if (r.cpuShares().isPresent()) {
            CgroupFiles.write(
                    cgroup.dir("cpu").resolve("cpu.shares"),
                    Integer.toString(r.cpuShares().getAsInt()));
        }
        if (r.cpusetCpus().isPresent()) {
            CgroupFiles.write(
                    cgroup.dir("cpuset").resolve("cpuset.cpus"), r.cpusetCpus().get());
        }
        if (r.pidsLimit().isPresent()) {
            long limit = r.pidsLimit().getAsLong();
            CgroupFiles.write(
                    cgroup.dir("pids").resolve("pids.max"),
                    limit == Resources.UNLIMITED ? "max" : Long.toString(limit));
        }
        if (r.memoryReservation().isPresent()) {
            CgroupFiles.write(
                    cgroup.dir("memory").resolve("memory.soft_limit_in_bytes"),
                    Long.toString(r.memoryReservation().getAsLong()));
        }
        if (r.blkioWeight().isPresent() || !r.ioThrottles().isEmpty()) {
            BlockIoFiles.applyV1(cgroup.dir("blkio"), r);
        }
    }

    @Override
    public void checkDevices(List<Devices.Rule> devices, boolean ownRules) {
        if (devices != null && find("devices").isEmpty()) {
            throw new IllegalArgumentException(
                    "device access: this host has no cgroup v1 devices hierarchy mounted, so "
                            + "containers cannot be kept from its devices; run with --privileged to allow every device");
        }
    }

    /** v1's devices controller: a new cgroup inherits its parent's list; "a" empties it, then each rule in order. */
    private static void allowOnly(V1Cgroup cgroup, List<Devices.Rule> devices) throws IOException {
        Path dir = cgroup.dir("devices");
        CgroupFiles.write(dir.resolve("devices.deny"), "a");
        for (Devices.Rule rule : devices) {
            CgroupFiles.write(dir.resolve(rule.allow() ? "devices.allow" : "devices.deny"), rule.line());
        }
    }

    /**
     * Hybrid: the v1 devices controller enforces the rules, and the same rules as a BPF filter on
     * the container's cgroup2 directory are defence in depth: a process that joins only that cgroup
     * is held too. Where the kernel will not load a filter for us, v1 alone is in charge.
     */
    private void filterInUnified(String path, List<Devices.Rule> devices) throws IOException {
        if (unified.isPresent() && filter.supported()) {
            filter.attach(unified.get().mountPoint().resolve(path), devices);
        }
    }

    @Override
    public Optional<Cgroup> open(String path) {
        List<Hierarchy> in = allHierarchies().stream()
                .filter(h -> Files.isDirectory(h.mountPoint().resolve(path)))
                .toList();
        return in.isEmpty() ? Optional.empty() : Optional.of(new V1Cgroup(path, new ArrayList<>(in)));
    }

    @Override
    public List<Cgroup> children(String parent) throws IOException {
        Set<String> names = new TreeSet<>();
        for (Hierarchy h : allHierarchies()) {
            names.addAll(CgroupTree.subdirectories(h.mountPoint().resolve(parent)));
        }
        List<Cgroup> found = new ArrayList<>();
        for (String name : names) {
            String path = parent + "/" + name;
            List<Hierarchy> in = allHierarchies().stream()
                    .filter(h -> Files.isDirectory(h.mountPoint().resolve(path)))
                    .toList();
            found.add(new V1Cgroup(path, new ArrayList<>(in)));
        }
        return found;
    }

    @Override
    public List<CgroupfsMount> mounts() {
        List<CgroupfsMount> mounts = new ArrayList<>();
        mounts.add(new CgroupfsMount(ROOT, "tmpfs", "mode=755"));
        for (Hierarchy h : allHierarchies()) {
            String target = h.mountPoint().toString();
            // only what sits right under /sys/fs/cgroup has a place in the container's tmpfs there
            if (h.mountPoint().getParent() != null
                    && h.mountPoint().getParent().toString().equals(ROOT)) {
                mounts.add(new CgroupfsMount(
                        target, h.unified() ? "cgroup2" : "cgroup", h.unified() ? null : h.mountData()));
            }
        }
        return mounts;
    }

    /** The container's directories, one per hierarchy. */
    private final class V1Cgroup implements Cgroup {
        private final String path;
        /** The hierarchies this cgroup was created in: only these are ever killed or removed. */
        private final List<Hierarchy> joined;

        V1Cgroup(String path, List<Hierarchy> joined) {
            this.path = path;
            this.joined = joined;
        }

        private List<Path> dirList() {
            return joined.stream().map(h -> h.mountPoint().resolve(path)).toList();
        }

        Path dir(String controller) {
            return mountOf(controller).resolve(path);
        }

        Optional<Path> dirIfAny(String controller) {
            return find(controller).map(h -> h.mountPoint().resolve(path));
        }

        @Override
        public void update(Resources resources) throws IOException {
            if (resources.memory().isPresent()) {
                // raising memory above the present memsw fails (the kernel keeps memsw >= memory): memsw first then
                Path memsw = dir("memory").resolve("memory.memsw.limit_in_bytes");
                long swap = resources.memorySwap().orElse(2 * resources.memory().getAsLong());
                if (Files.exists(memsw)
                        && swap > Long.parseLong(CgroupFiles.read(memsw).strip())) {
                    CgroupFiles.write(memsw, Long.toString(swap));
                }
            }
            apply(this, resources);
        }

        @Override
        public String path() {
            return path;
        }

        @Override
        public FileTime created() throws IOException {
            return Files.getLastModifiedTime(dirList().get(0));
        }

        @Override
        public Map<String, String> dirs() {
            Map<String, String> dirs = new TreeMap<>();
            for (Hierarchy h : joined) {
                dirs.put(
                        h.unified() ? "unified" : h.mountPoint().getFileName().toString(),
                        h.mountPoint().resolve(path).toString());
            }
            return dirs;
        }

        @Override
        public List<Path> procsFiles() {
            return dirList().stream().map(d -> d.resolve("cgroup.procs")).toList();
        }

        @Override
        public void join(long pid) throws IOException {
            for (Path dir : dirList()) {
                CgroupFiles.write(dir.resolve("cgroup.procs"), Long.toString(pid));
            }
        }

        @Override
        public void freeze() throws IOException {
            Path state = freezerState();
            for (int round = 0; round < 200; round++) {
                // a cgroup can stay FREEZING while a task sleeps uninterruptibly; asking again retries it
                CgroupFiles.write(state, "FROZEN");
                if (CgroupFiles.read(state).equals("FROZEN")) {
                    return;
                }
                CgroupTree.sleep(10);
            }
            CgroupFiles.write(state, "THAWED");
            throw new IOException("the cgroup " + path + " did not freeze within 2 s");
        }

        @Override
        public void thaw() throws IOException {
            CgroupFiles.write(freezerState(), "THAWED");
        }

        @Override
        public boolean frozen() throws IOException {
            Optional<Path> dir = dirIfAny("freezer");
            return dir.isPresent()
                    && !CgroupFiles.read(dir.get().resolve("freezer.state")).equals("THAWED");
        }

        private Path freezerState() throws IOException {
            return dirIfAny("freezer")
                    .orElseThrow(() -> new IOException("this host has no cgroup v1 freezer hierarchy"))
                    .resolve("freezer.state");
        }

        @Override
        public ResourceStats stats() throws IOException {
            long usage = 0;
            OptionalLong limit = OptionalLong.empty();
            Optional<Path> memory = dirIfAny("memory");
            if (memory.isPresent()) {
                usage = CgroupFiles.readLong(memory.get().resolve("memory.usage_in_bytes"));
                limit = optional(CgroupFiles.readLimit(memory.get().resolve("memory.limit_in_bytes")));
            }
            Optional<Path> cpuacct = dirIfAny("cpuacct");
            Duration cpu = cpuacct.isPresent()
                    ? Duration.ofNanos(CgroupFiles.readLong(cpuacct.get().resolve("cpuacct.usage")))
                    : Duration.ZERO;
            Optional<Path> pids = dirIfAny("pids");
            long count;
            OptionalLong pidsMax = OptionalLong.empty();
            if (pids.isPresent()) {
                count = CgroupFiles.readLong(pids.get().resolve("pids.current"));
                pidsMax = optional(CgroupFiles.readLimit(pids.get().resolve("pids.max")));
            } else {
                count = CgroupFiles.readPids(dirList().get(0).resolve("tasks")).size();
            }
            // hybrid: PSI comes from the container's cgroup2 directory, which it joined too
            Optional<Path> unifiedDir = joined.stream()
                    .filter(Hierarchy::unified)
                    .findFirst()
                    .map(h -> h.mountPoint().resolve(path));
            Optional<Path> blkio = dirIfAny("blkio");
            BlockIoStats io = blkio.isPresent() ? BlockIoStats.v1(blkio.get()) : BlockIoStats.NONE;
            return new ResourceStats(
                    usage,
                    limit,
                    cpu,
                    count,
                    pidsMax,
                    Map.of(),
                    unifiedDir.isPresent() ? CgroupPressure.read(unifiedDir.get()) : Map.of(),
                    io.read(),
                    io.written());
        }

        @Override
        public long oomKills() throws IOException {
            Optional<Path> memory = dirIfAny("memory");
            if (memory.isEmpty() || !Files.exists(memory.get())) {
                return 0;
            }
            return CgroupFiles.readKeyed(memory.get().resolve("memory.oom_control"))
                    .getOrDefault("oom_kill", 0L);
        }

        @Override
        public boolean destroy() {
            List<Path> procs = procsFiles();
            joined.stream()
                    .filter(Hierarchy::unified)
                    .forEach(h -> CgroupTree.killAtOnce(h.mountPoint().resolve(path)));
            CgroupReaper.Freezer freezer = joined.stream().anyMatch(h -> h.has("freezer"))
                    ? new CgroupReaper.Freezer() {
                        @Override
                        public void freeze() throws IOException {
                            CgroupFiles.write(freezerState(), "FROZEN");
                        }

                        @Override
                        public void thaw() throws IOException {
                            CgroupFiles.write(freezerState(), "THAWED");
                        }
                    }
                    : null;
            CgroupReaper.killAll(procs, freezer);
            boolean allGone = true;
            for (Hierarchy h : joined) {
                allGone &= CgroupTree.remove(h.mountPoint(), path);
            }
            return allGone;
        }
    }

    static OptionalLong optional(long limit) {
        return limit < 0 ? OptionalLong.empty() : OptionalLong.of(limit);
    }
}
