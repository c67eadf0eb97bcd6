package io.isola.api;

import java.util.OptionalInt;

/**
 * Spec extension: attributes of the container's process beyond its command and user, as an OCI
 * config.json's {@code process.user.umask} and {@code process.oomScoreAdj} set them. Unset, the
 * process inherits them from the runtime.
 *
 * @param umask the file mode creation mask (0 to 0777), or null to inherit
 * @param oomScoreAdj the OOM killer's adjustment (-1000 to 1000), or null to inherit
 */
public record ProcessAttributes(Integer umask, Integer oomScoreAdj) {

    public ProcessAttributes {
        if (umask != null && (umask < 0 || umask > 0777)) {
            throw new IllegalArgumentException("umask " + umask + ": expected 0 to 0777 (511)");
        }
        if (oomScoreAdj != null && (oomScoreAdj < -1000 || oomScoreAdj > 1000)) {
            throw new IllegalArgumentException("oom score adjustment " + oomScoreAdj + ": expected -1000 to 1000");
        }
    }

    public OptionalInt umaskValue() {
        return umask == null ? OptionalInt.empty() : OptionalInt.of(umask);
    }

    public OptionalInt oomScoreAdjValue() {
        return oomScoreAdj == null ? OptionalInt.empty() : OptionalInt.of(oomScoreAdj);
    }
}
