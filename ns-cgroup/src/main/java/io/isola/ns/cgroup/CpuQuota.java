package io.isola.ns.cgroup;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** {@code --cpus} as CFS bandwidth: a quota of CPU time per period, both in microseconds. */
record CpuQuota(long quotaMicros, long periodMicros) {

    /** Docker's period: 100 ms. */
    static final long PERIOD = 100_000;

    static CpuQuota of(BigDecimal cpus) {
        long quota = cpus.multiply(BigDecimal.valueOf(PERIOD)).setScale(0, RoundingMode.HALF_UP).longValueExact();
        return new CpuQuota(Math.max(1000, quota), PERIOD);
    }

    /** cgroup v1 {@code cpu.shares} (2 to 262144) as v2 {@code cpu.weight} (1 to 10000), as runc converts. */
    static long weightOfShares(long shares) {
        return 1 + ((shares - 2) * 9999) / 262142;
    }
}
