package io.isola.lifecycle;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.isola.api.ContainerSpec;
import io.isola.api.Resources;
import java.math.BigDecimal;
import java.util.OptionalLong;

/**
 * The limits a container was given, kept in its state for {@code inspect}'s {@code HostConfig}
 * as Docker shows them; {@code update} records new limits here, and a later {@code start} runs
 * the container with them, as Docker's does. (Its binds are the saved spec's volumes.)
 *
 * @param cpus CPUs as given ({@code 0.5}); Docker shows them as {@code NanoCpus}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SavedHostConfig(
        Long memory,
        Long memorySwap,
        String cpus,
        Long pidsLimit,
        Long memoryReservation,
        Integer cpuShares,
        String cpusetCpus) {

    /** With the limits that states written before update kept them had. */
    public SavedHostConfig(Long memory, Long memorySwap, String cpus, Long pidsLimit) {
        this(memory, memorySwap, cpus, pidsLimit, null, null, null);
    }

    static SavedHostConfig of(ContainerSpec spec) {
        Resources r = spec.extension(Resources.class).orElse(null);
        if (r == null) {
            return null;
        }
        return new SavedHostConfig(null, null, null, null).updated(r);
    }

    /** With the limits {@code update} set in {@code r}; the others as they were. */
    public SavedHostConfig updated(Resources r) {
        return new SavedHostConfig(
                r.memory().isPresent() ? Long.valueOf(r.memory().getAsLong()) : memory,
                r.memorySwap().isPresent() ? Long.valueOf(r.memorySwap().getAsLong()) : memorySwap,
                r.cpus().map(BigDecimal::toPlainString).orElse(cpus),
                r.pidsLimit().isPresent() ? Long.valueOf(r.pidsLimit().getAsLong()) : pidsLimit,
                r.memoryReservation().isPresent()
                        ? Long.valueOf(r.memoryReservation().getAsLong())
                        : memoryReservation,
                r.cpuShares().isPresent() ? Integer.valueOf(r.cpuShares().getAsInt()) : cpuShares,
                r.cpusetCpus().orElse(cpusetCpus));
    }

    /** {@code r} with these limits over its own: what a container started again runs with. */
    public Resources over(Resources r) {
        Resources.Builder b = Resources.builder();
        r.ioThrottles().forEach(b::ioThrottle);
        r.blkioWeight().ifPresent(b::blkioWeight);
        b.oomKillGroup(r.oomKillGroup());
        Long mem = memory != null ? memory : box(r.memory());
        Long swap = memorySwap != null ? memorySwap : box(r.memorySwap());
        Long reservation = memoryReservation != null ? memoryReservation : box(r.memoryReservation());
        Long pids = pidsLimit != null ? pidsLimit : box(r.pidsLimit());
        if (mem != null) {
            b.memory(mem);
        }
        if (swap != null) {
            b.memorySwap(swap);
        }
        if (reservation != null) {
            b.memoryReservation(reservation);
        }
        if (pids != null) {
            b.pidsLimit(pids);
        }
        if (cpus != null) {
            b.cpus(new BigDecimal(cpus));
        } else {
            r.cpus().ifPresent(b::cpus);
        }
        if (cpuShares != null) {
            b.cpuShares(cpuShares);
        } else {
            r.cpuShares().ifPresent(b::cpuShares);
        }
        if (cpusetCpus != null) {
            b.cpusetCpus(cpusetCpus);
        } else {
            r.cpusetCpus().ifPresent(b::cpusetCpus);
        }
        return b.build();
    }

    private static Long box(OptionalLong value) {
        return value.isPresent() ? value.getAsLong() : null;
    }
}
