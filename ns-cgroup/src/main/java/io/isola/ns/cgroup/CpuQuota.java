package io.isola.ns.cgroup;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** {@code --cpus} as CFS bandwidth: a quota of CPU time per period, both in microseconds. */
record CpuQuota(long quotaMicros, long periodMicros) {

    /** Docker's period: 100 ms. */
    static final long PERIOD = 100_000;

    static CpuQuota of(BigDecimal cpus) {
        long quota = cpus.multiply(BigDecimal.valueOf(PERIOD))
                .setScale(0, RoundingMode.HALF_UP)
                .longValueExact();
        return new CpuQuota(Math.max(1000, quota), PERIOD);
    }

    /**
     * cgroup v1 {@code cpu.shares} (2 to 262144) as v2 {@code cpu.weight} (1 to 10000), with the
     * quadratic (in log2) curve that newer runc and crun adopted in 2025. It maps the defaults onto each other
     * (1024 shares to weight 100), where the older linear {@code 1 + ((shares - 2) * 9999) / 262142}
     * gave 39, so a container with Docker's default shares weighed less than its plain neighbours.
     */
    static long weightOfShares(long shares) {
        if (shares <= 2) {
            return 1;
        }
        if (shares >= 262144) {
            return 10000;
        }
        double log2 = Math.log(shares) / Math.log(2);
        double exponent = (log2 * log2 + 125 * log2) / 612.0 - 7.0 / 34.0;
        return (long) Math.ceil(Math.pow(10, exponent));
    }
}
