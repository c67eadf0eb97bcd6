package io.isola.lifecycle;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.isola.api.ContainerSpec;
import io.isola.api.Resources;
import java.math.BigDecimal;

/**
 * The limits a container was given, kept in its state for {@code inspect}'s {@code HostConfig}
 * as Docker shows them; {@code update} records new limits here. (Its binds are the saved spec's
 * volumes.)
 *
 * @param cpus CPUs as given ({@code 0.5}); Docker shows them as {@code NanoCpus}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SavedHostConfig(Long memory, Long memorySwap, String cpus, Long pidsLimit) {

    static SavedHostConfig of(ContainerSpec spec) {
        Resources r = spec.extension(Resources.class).orElse(null);
        if (r == null) {
            return null;
        }
        return new SavedHostConfig(r.memory().isEmpty() ? null : r.memory().getAsLong(),
                r.memorySwap().isEmpty() ? null : r.memorySwap().getAsLong(), r.cpus().map(BigDecimal::toPlainString).orElse(null),
                r.pidsLimit().isEmpty() ? null : r.pidsLimit().getAsLong());
    }

    /** With the limits {@code update} set in {@code r}; the others as they were. */
    public SavedHostConfig updated(Resources r) {
        return new SavedHostConfig(r.memory().isPresent() ? Long.valueOf(r.memory().getAsLong()) : memory,
                r.memorySwap().isPresent() ? Long.valueOf(r.memorySwap().getAsLong()) : memorySwap,
                r.cpus().map(BigDecimal::toPlainString).orElse(cpus),
                r.pidsLimit().isPresent() ? Long.valueOf(r.pidsLimit().getAsLong()) : pidsLimit);
    }
}
