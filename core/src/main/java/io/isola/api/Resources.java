package io.isola.api;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resource limits of a container, a {@link ContainerSpec} extension ({@code builder.with(resources)}).
 * Every setting is optional; the builder checks each value's syntax and range when it is set, so a
 * bad limit is refused before anything is created. Limits that depend on the host (more CPUs than
 * it has) are checked by the cgroup isolator before it creates anything.
 *
 * <p>The meanings follow Docker's flags of the same names.
 */
public final class Resources {

    /** The smallest memory limit accepted, as Docker's: below it a container cannot even start. */
    public static final long MIN_MEMORY = 6L << 20;
    /** {@code --memory-swap -1}: no limit on swap. */
    public static final long UNLIMITED = -1;

    private static final Pattern SIZE =
            Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([bkmgt]?)(?:i?b)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern CPU_LIST = Pattern.compile("\\d+(-\\d+)?(,\\d+(-\\d+)?)*");
    private static final BigDecimal MAX_CPUS = BigDecimal.valueOf(1024);

    private final Long memory;
    private final Long memorySwap;
    private final BigDecimal cpus;
    private final Integer cpuShares;
    private final String cpusetCpus;
    private final Long pidsLimit;
    private final Long memoryReservation;
    private final Integer blkioWeight;
    private final List<IoThrottle> ioThrottles;
    private final boolean oomKillGroup;

    private Resources(Builder b) {
        this.memoryReservation = b.memoryReservation;
        this.blkioWeight = b.blkioWeight;
        this.ioThrottles = List.copyOf(b.ioThrottles);
        this.oomKillGroup = b.oomKillGroup;
        this.memory = b.memory;
        this.memorySwap = b.memorySwap;
        this.cpus = b.cpus;
        this.cpuShares = b.cpuShares;
        this.cpusetCpus = b.cpusetCpus;
        this.pidsLimit = b.pidsLimit;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The memory limit in bytes. */
    public OptionalLong memory() {
        return memory == null ? OptionalLong.empty() : OptionalLong.of(memory);
    }

    /**
     * Memory plus swap in bytes, or {@link #UNLIMITED}. Unset with a memory limit means twice the
     * memory limit, as in Docker.
     */
    public OptionalLong memorySwap() {
        return memorySwap == null ? OptionalLong.empty() : OptionalLong.of(memorySwap);
    }

    /** How many CPUs' worth of time the container may use (CFS quota over period). */
    public Optional<BigDecimal> cpus() {
        return Optional.ofNullable(cpus);
    }

    /** The relative CPU weight, in cgroup v1 shares (2 to 262144, 1024 is the default). */
    public OptionalInt cpuShares() {
        return cpuShares == null ? OptionalInt.empty() : OptionalInt.of(cpuShares);
    }

    /** The CPUs the container may run on, as a list such as {@code 0-1,3}. */
    public Optional<String> cpusetCpus() {
        return Optional.ofNullable(cpusetCpus);
    }

    /** The most processes (and threads) the container may have, or {@link #UNLIMITED}. */
    public OptionalLong pidsLimit() {
        return pidsLimit == null ? OptionalLong.empty() : OptionalLong.of(pidsLimit);
    }

    /**
     * A soft memory limit in bytes ({@code --memory-reservation}): above it the kernel reclaims the
     * container's memory first (v2 {@code memory.high}, v1 {@code memory.soft_limit_in_bytes}).
     */
    public OptionalLong memoryReservation() {
        return memoryReservation == null ? OptionalLong.empty() : OptionalLong.of(memoryReservation);
    }

    /** The relative block I/O weight (10 to 1000, Docker's {@code --blkio-weight}). */
    public OptionalInt blkioWeight() {
        return blkioWeight == null ? OptionalInt.empty() : OptionalInt.of(blkioWeight);
    }

    /** Per-device I/O rate limits, in the order given (a later one for the same device and kind wins). */
    public List<IoThrottle> ioThrottles() {
        return ioThrottles;
    }

    /**
     * Whether an OOM kill takes every process of the container at once (cgroup v2's
     * {@code memory.oom.group}) rather than one, so it never lives on with a part missing.
     */
    public boolean oomKillGroup() {
        return oomKillGroup;
    }

    /** Whether no limit is set at all. */
    public boolean isEmpty() {
        return memory == null
                && memorySwap == null
                && cpus == null
                && cpuShares == null
                && cpusetCpus == null
                && pidsLimit == null
                && memoryReservation == null
                && blkioWeight == null
                && ioThrottles.isEmpty()
                && !oomKillGroup;
    }

    /**
     * Parses a size such as {@code 512m}, {@code 1.5g}, {@code 64k} or {@code 1048576}: a number
     * with an optional unit b, k, m, g or t (powers of 1024, as Docker's).
     *
     * @param what names the value in the error ("memory limit")
     */
    public static long parseSize(String what, String text) {
        Matcher m = text == null ? null : SIZE.matcher(text.trim());
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException(
                    what + " \"" + text + "\": expected a number with an optional unit b, k, m, g or t (such as 512m)");
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(1L << shift));
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException(what + " \"" + text + "\": too large");
        }
        return bytes.longValue();
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("Resources[");
        if (memory != null) s.append("memory=").append(memory).append(' ');
        if (memorySwap != null) s.append("memorySwap=").append(memorySwap).append(' ');
        if (cpus != null) s.append("cpus=").append(cpus.toPlainString()).append(' ');
        if (cpuShares != null) s.append("cpuShares=").append(cpuShares).append(' ');
        if (cpusetCpus != null) s.append("cpusetCpus=").append(cpusetCpus).append(' ');
        if (pidsLimit != null) s.append("pidsLimit=").append(pidsLimit).append(' ');
        if (memoryReservation != null)
            s.append("memoryReservation=").append(memoryReservation).append(' ');
        if (blkioWeight != null) s.append("blkioWeight=").append(blkioWeight).append(' ');
        for (IoThrottle t : ioThrottles) {
            s.append(t.kind().flag().substring(2))
                    .append('=')
                    .append(t.device())
                    .append(':')
                    .append(t.rate())
                    .append(' ');
        }
        if (oomKillGroup) s.append("oomKillGroup ");
        return s.toString().trim() + "]";
    }

    /** Collects limits; each setter checks its value, {@link #build()} checks how they combine. */
    public static final class Builder {
        private Long memory;
        private Long memorySwap;
        private BigDecimal cpus;
        private Integer cpuShares;
        private String cpusetCpus;
        private Long pidsLimit;
        private Long memoryReservation;
        private Integer blkioWeight;
        private final List<IoThrottle> ioThrottles = new ArrayList<>();
        private boolean oomKillGroup;

        private Builder() {}

        /** A memory limit such as {@code 32m}. */
        public Builder memory(String size) {
            return memory(parseSize("memory limit", size));
        }

        public Builder memory(long bytes) {
            if (bytes < MIN_MEMORY) {
                throw new IllegalArgumentException(
                        "memory limit " + bytes + " bytes: expected at least 6m (" + MIN_MEMORY + " bytes)");
            }
            this.memory = bytes;
            return this;
        }

        /** Memory plus swap such as {@code 64m}, or {@code -1} for unlimited swap. */
        public Builder memorySwap(String size) {
            if (size != null && size.trim().equals("-1")) {
                return memorySwap(UNLIMITED);
            }
            return memorySwap(parseSize("memory+swap limit", size));
        }

        public Builder memorySwap(long bytes) {
            if (bytes != UNLIMITED && bytes < MIN_MEMORY) {
                throw new IllegalArgumentException("memory+swap limit " + bytes
                        + " bytes: expected -1 (unlimited) or at least 6m (" + MIN_MEMORY + " bytes)");
            }
            this.memorySwap = bytes;
            return this;
        }

        /** CPUs such as {@code 0.5} or {@code 2}. */
        public Builder cpus(String value) {
            BigDecimal parsed;
            try {
                parsed = new BigDecimal(value.trim());
            } catch (NumberFormatException | NullPointerException e) {
                throw new IllegalArgumentException(
                        "cpus \"" + value + "\": expected a positive number such as 0.5 or 2");
            }
            return cpus(parsed);
        }

        public Builder cpus(BigDecimal value) {
            // 0.01 CPU is 1 ms of every 100 ms period, the smallest quota the kernel takes
            if (value.compareTo(new BigDecimal("0.01")) < 0 || value.compareTo(MAX_CPUS) > 0) {
                throw new IllegalArgumentException(
                        "cpus \"" + value.toPlainString() + "\": expected a number from 0.01 to " + MAX_CPUS);
            }
            this.cpus = value.stripTrailingZeros();
            return this;
        }

        public Builder cpuShares(int shares) {
            if (shares < 2 || shares > 262144) {
                throw new IllegalArgumentException("cpu shares " + shares + ": expected a number from 2 to 262144");
            }
            this.cpuShares = shares;
            return this;
        }

        /** CPUs to run on, such as {@code 0-1,3}. */
        public Builder cpusetCpus(String list) {
            String trimmed = list == null ? "" : list.replace(" ", "");
            if (!CPU_LIST.matcher(trimmed).matches()) {
                throw new IllegalArgumentException(
                        "cpuset cpus \"" + list + "\": expected CPU numbers and ranges such as 0-1,3");
            }
            for (String range : trimmed.split(",")) {
                String[] ends = range.split("-");
                if (ends.length == 2 && Integer.parseInt(ends[0]) > Integer.parseInt(ends[1])) {
                    throw new IllegalArgumentException(
                            "cpuset cpus \"" + list + "\": range " + range + " ends before it starts");
                }
            }
            this.cpusetCpus = trimmed;
            return this;
        }

        /** The most processes, or {@code -1} for no limit. */
        public Builder pidsLimit(long limit) {
            if (limit != UNLIMITED && limit < 1) {
                throw new IllegalArgumentException(
                        "pids limit " + limit + ": expected a positive number, or -1 for no limit");
            }
            this.pidsLimit = limit;
            return this;
        }

        /** A soft memory limit such as {@code 64m}. */
        public Builder memoryReservation(String size) {
            return memoryReservation(parseSize("memory reservation", size));
        }

        public Builder memoryReservation(long bytes) {
            if (bytes < MIN_MEMORY) {
                throw new IllegalArgumentException(
                        "memory reservation " + bytes + " bytes: expected at least 6m (" + MIN_MEMORY + " bytes)");
            }
            this.memoryReservation = bytes;
            return this;
        }

        public Builder blkioWeight(int weight) {
            if (weight < 10 || weight > 1000) {
                throw new IllegalArgumentException("blkio weight " + weight + ": expected a number from 10 to 1000");
            }
            this.blkioWeight = weight;
            return this;
        }

        /** Adds a device's I/O limit; one already given for the same device and kind is replaced. */
        public Builder ioThrottle(IoThrottle throttle) {
            ioThrottles.removeIf(
                    t -> t.kind() == throttle.kind() && t.major() == throttle.major() && t.minor() == throttle.minor());
            ioThrottles.add(throttle);
            return this;
        }

        public Builder oomKillGroup(boolean value) {
            this.oomKillGroup = value;
            return this;
        }

        public Resources build() {
            if (memoryReservation != null && memory != null && memoryReservation > memory) {
                throw new IllegalArgumentException("memory reservation " + memoryReservation
                        + " bytes: expected at most the memory limit (" + memory + " bytes)");
            }
            if (memorySwap != null && memorySwap != UNLIMITED) {
                if (memory == null) {
                    throw new IllegalArgumentException(
                            "memory+swap limit " + memorySwap + " bytes: needs a memory limit as well");
                }
                if (memorySwap < memory) {
                    throw new IllegalArgumentException("memory+swap limit " + memorySwap
                            + " bytes: expected at least the memory limit (" + memory + " bytes)");
                }
            }
            return new Resources(this);
        }
    }
}
