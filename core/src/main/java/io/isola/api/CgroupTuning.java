package io.isola.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The cgroup settings an OCI config.json may carry beyond Docker's limits ({@link Resources}): a
 * {@link ContainerSpec} extension. The cgroup isolator writes each into the files of the host's
 * layout (v1, hybrid, v2), or refuses it naming the controller and the layout where the host lacks
 * it; settings the kernel dropped on a layout (swappiness, the OOM killer switch and the network
 * classes on cgroup v2) are ignored there, as runc ignores them.
 */
public final class CgroupTuning {

    private static final Pattern NODES = Pattern.compile("\\d+(-\\d+)?(,\\d+(-\\d+)?)*");
    /** Kernel hugetlb file names: hugetlb.2MB.max, hugetlb.1GB.limit_in_bytes. */
    private static final Pattern PAGE_SIZE = Pattern.compile("\\d+(KB|MB|GB)");
    /** A cgroup v2 interface file: controller.name, as the kernel names them. */
    private static final Pattern UNIFIED_KEY = Pattern.compile("[a-z_]+\\.[A-Za-z0-9_.]+");
    /** Files that move processes or act rather than set a limit: the runtime's to write, never a config's. */
    private static final Set<String> NOT_SETTINGS =
            Set.of("cgroup.procs", "cgroup.threads", "cgroup.kill", "cgroup.subtree_control", "cgroup.freeze");

    private final String cpusetMems;
    private final Long realtimeRuntime;
    private final Long realtimePeriod;
    private final Long cpuIdle;
    private final Long memorySwappiness;
    private final boolean oomKillDisabled;
    private final Long kernelTcp;
    private final Map<String, Long> hugepageLimits;
    private final Long netClassId;
    private final Map<String, Long> netPriorities;
    private final Map<String, String> unified;

    private CgroupTuning(Builder b) {
        this.cpusetMems = b.cpusetMems;
        this.realtimeRuntime = b.realtimeRuntime;
        this.realtimePeriod = b.realtimePeriod;
        this.cpuIdle = b.cpuIdle;
        this.memorySwappiness = b.memorySwappiness;
        this.oomKillDisabled = b.oomKillDisabled;
        this.kernelTcp = b.kernelTcp;
        this.hugepageLimits = Map.copyOf(b.hugepageLimits);
        this.netClassId = b.netClassId;
        this.netPriorities = Map.copyOf(b.netPriorities);
        this.unified = Collections.unmodifiableMap(new LinkedHashMap<>(b.unified));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The memory nodes the container may allocate on, such as {@code 0-1}. */
    public Optional<String> cpusetMems() {
        return Optional.ofNullable(cpusetMems);
    }

    /** Real-time run time in microseconds per period (v1 {@code cpu.rt_runtime_us}; -1 is no limit). */
    public OptionalLong realtimeRuntime() {
        return optional(realtimeRuntime);
    }

    /** The real-time period in microseconds (v1 {@code cpu.rt_period_us}). */
    public OptionalLong realtimePeriod() {
        return optional(realtimePeriod);
    }

    /** 1 gives the cgroup SCHED_IDLE's weight ({@code cpu.idle}), 0 the normal one. */
    public OptionalLong cpuIdle() {
        return optional(cpuIdle);
    }

    /** v1 {@code memory.swappiness}, 0 to 100. */
    public OptionalLong memorySwappiness() {
        return optional(memorySwappiness);
    }

    /** Whether the OOM killer leaves the container alone (v1 {@code memory.oom_control}); it waits instead. */
    public boolean oomKillDisabled() {
        return oomKillDisabled;
    }

    /** v1's limit of the container's TCP buffer memory in bytes ({@code memory.kmem.tcp.limit_in_bytes}). */
    public OptionalLong kernelTcp() {
        return optional(kernelTcp);
    }

    /** Huge page limits in bytes by page size as the kernel names it ({@code 2MB}, {@code 1GB}). */
    public Map<String, Long> hugepageLimits() {
        return hugepageLimits;
    }

    /** The class id the container's packets carry (v1 {@code net_cls.classid}). */
    public OptionalLong netClassId() {
        return optional(netClassId);
    }

    /** Priorities of the container's traffic by interface name (v1 {@code net_prio.ifpriomap}). */
    public Map<String, Long> netPriorities() {
        return netPriorities;
    }

    /** cgroup v2 files of the container's cgroup and the values written to them, in order. */
    public Map<String, String> unified() {
        return unified;
    }

    public boolean isEmpty() {
        return cpusetMems == null
                && realtimeRuntime == null
                && realtimePeriod == null
                && cpuIdle == null
                && memorySwappiness == null
                && !oomKillDisabled
                && kernelTcp == null
                && hugepageLimits.isEmpty()
                && netClassId == null
                && netPriorities.isEmpty()
                && unified.isEmpty();
    }

    private static OptionalLong optional(Long value) {
        return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }

    @Override
    public String toString() {
        return "CgroupTuning[mems=" + cpusetMems + " rt=" + realtimeRuntime + "/" + realtimePeriod + " idle=" + cpuIdle
                + " swappiness=" + memorySwappiness + " oomKillDisabled=" + oomKillDisabled + " kernelTcp=" + kernelTcp
                + " hugepages=" + hugepageLimits + " classId=" + netClassId + " priorities=" + netPriorities
                + " unified=" + unified + "]";
    }

    /** Collects settings; each setter checks its value and names it in its error. */
    public static final class Builder {
        private String cpusetMems;
        private Long realtimeRuntime;
        private Long realtimePeriod;
        private Long cpuIdle;
        private Long memorySwappiness;
        private boolean oomKillDisabled;
        private Long kernelTcp;
        private final Map<String, Long> hugepageLimits = new LinkedHashMap<>();
        private Long netClassId;
        private final Map<String, Long> netPriorities = new LinkedHashMap<>();
        private final Map<String, String> unified = new LinkedHashMap<>();

        private Builder() {}

        public Builder cpusetMems(String nodes) {
            if (nodes == null || !NODES.matcher(nodes).matches()) {
                throw new IllegalArgumentException(
                        "cpuset mems \"" + nodes + "\": expected memory node numbers and ranges such as 0-1,3");
            }
            this.cpusetMems = nodes;
            return this;
        }

        public Builder realtime(Long runtime, Long period) {
            if (runtime != null && runtime < -1) {
                throw new IllegalArgumentException(
                        "real-time runtime " + runtime + ": expected -1 (no limit) or microseconds from 0");
            }
            if (period != null && period < 1) {
                throw new IllegalArgumentException(
                        "real-time period " + period + ": expected a positive number of microseconds");
            }
            if (runtime != null && period != null && runtime > period) {
                throw new IllegalArgumentException(
                        "real-time runtime " + runtime + ": expected at most the period (" + period + ")");
            }
            this.realtimeRuntime = runtime;
            this.realtimePeriod = period;
            return this;
        }

        public Builder cpuIdle(long idle) {
            if (idle != 0 && idle != 1) {
                throw new IllegalArgumentException("cpu idle " + idle + ": expected 0 or 1");
            }
            this.cpuIdle = idle;
            return this;
        }

        public Builder memorySwappiness(long swappiness) {
            if (swappiness < 0 || swappiness > 100) {
                throw new IllegalArgumentException("memory swappiness " + swappiness + ": expected 0 to 100");
            }
            this.memorySwappiness = swappiness;
            return this;
        }

        public Builder oomKillDisabled(boolean disabled) {
            this.oomKillDisabled = disabled;
            return this;
        }

        public Builder kernelTcp(long bytes) {
            if (bytes < -1) {
                throw new IllegalArgumentException(
                        "kernel TCP memory " + bytes + ": expected -1 (no limit) or bytes from 0");
            }
            this.kernelTcp = bytes;
            return this;
        }

        public Builder hugepageLimit(String pageSize, long bytes) {
            if (pageSize == null || !PAGE_SIZE.matcher(pageSize).matches()) {
                throw new IllegalArgumentException(
                        "huge page size \"" + pageSize + "\": expected the kernel's name such as 2MB or 1GB");
            }
            if (bytes < 0) {
                throw new IllegalArgumentException(
                        "huge page limit " + bytes + " for " + pageSize + ": expected bytes from 0");
            }
            hugepageLimits.put(pageSize, bytes);
            return this;
        }

        public Builder netClassId(long classId) {
            if (classId < 0 || classId > 0xFFFFFFFFL) {
                throw new IllegalArgumentException("net class id " + classId + ": expected 0 to 4294967295");
            }
            this.netClassId = classId;
            return this;
        }

        public Builder netPriority(String iface, long priority) {
            // an interface name: at most 15 bytes, no '/', no white space (the kernel's dev_valid_name)
            if (iface == null
                    || iface.isEmpty()
                    || iface.length() > 15
                    || iface.equals(".")
                    || iface.equals("..")
                    || !iface.chars().allMatch(c -> c > ' ' && c < 127 && c != '/' && c != ':')) {
                throw new IllegalArgumentException("network interface \"" + iface
                        + "\": expected a name of 1 to 15 printable characters without '/', ':' or spaces");
            }
            if (priority < 0 || priority > 0xFFFFFFFFL) {
                throw new IllegalArgumentException(
                        "network priority " + priority + " for " + iface + ": expected 0 to 4294967295");
            }
            netPriorities.put(iface, priority);
            return this;
        }

        /** A cgroup v2 file of the container's own cgroup (a name, never a path) and its value. */
        public Builder unified(String file, String value) {
            if (file == null || !UNIFIED_KEY.matcher(file).matches()) {
                throw new IllegalArgumentException(
                        "cgroup file \"" + file + "\": expected a file name of the container's"
                                + " cgroup such as memory.high (controller.name, no path separators)");
            }
            if (NOT_SETTINGS.contains(file)) {
                throw new IllegalArgumentException(
                        "cgroup file \"" + file + "\": moves processes or acts on them, which is"
                                + " the runtime's; expected a setting such as memory.high");
            }
            if (value == null || value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException(
                        "cgroup file \"" + file + "\": expected a string value without NUL bytes");
            }
            unified.put(file, value);
            return this;
        }

        public CgroupTuning build() {
            return new CgroupTuning(this);
        }
    }
}
