package io.isola.lifecycle;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.isola.api.ContainerSpec;
import io.isola.api.Filesystem;
import io.isola.api.Resources;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * The limits and mounts a container was given, kept in its state for {@code inspect}'s {@code
 * HostConfig} and {@code Mounts} as Docker shows them; {@code update} records new limits here.
 *
 * @param cpus CPUs as given ({@code 0.5}); Docker shows them as {@code NanoCpus}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SavedHostConfig(Long memory, Long memorySwap, String cpus, Long pidsLimit, List<SavedMount> mounts) {

    /** A bind mount ({@code -v}, {@code --mount type=bind}) or a tmpfs, as Docker's {@code Mounts} lists them. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SavedMount(String type, String source, String destination, boolean readOnly) {}

    static SavedHostConfig of(ContainerSpec spec) {
        Resources r = spec.extension(Resources.class).orElse(null);
        List<SavedMount> mounts = new ArrayList<>();
        spec.extension(Filesystem.class).ifPresent(fs -> {
            fs.volumes().forEach(v -> mounts.add(new SavedMount("bind", v.source(), v.target(), v.readOnly())));
            fs.tmpfs().forEach(t -> mounts.add(new SavedMount("tmpfs", "", t.target(), false)));
        });
        if (r == null && mounts.isEmpty()) {
            return null;
        }
        return new SavedHostConfig(r == null || r.memory().isEmpty() ? null : r.memory().getAsLong(),
                r == null || r.memorySwap().isEmpty() ? null : r.memorySwap().getAsLong(),
                r == null ? null : r.cpus().map(BigDecimal::toPlainString).orElse(null),
                r == null || r.pidsLimit().isEmpty() ? null : r.pidsLimit().getAsLong(), mounts.isEmpty() ? null : mounts);
    }

    /** With the limits {@code update} set in {@code r}; the others as they were. */
    public SavedHostConfig updated(Resources r) {
        return new SavedHostConfig(r.memory().isPresent() ? Long.valueOf(r.memory().getAsLong()) : memory,
                r.memorySwap().isPresent() ? Long.valueOf(r.memorySwap().getAsLong()) : memorySwap,
                r.cpus().map(BigDecimal::toPlainString).orElse(cpus),
                r.pidsLimit().isPresent() ? Long.valueOf(r.pidsLimit().getAsLong()) : pidsLimit, mounts);
    }
}
