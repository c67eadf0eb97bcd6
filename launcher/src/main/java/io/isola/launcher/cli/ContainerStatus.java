package io.isola.launcher.cli;

import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Lifecycle;
import java.util.Locale;

/**
 * A container's state in Docker's words (what {@code ps --filter status=} and {@code {{.State}}}
 * take), from isola's: creating is {@code created} (or {@code restarting} when its restart policy
 * is starting it again), stopped is {@code exited}, a state that cannot be read is {@code dead}.
 */
enum ContainerStatus {
    CREATED,
    RESTARTING,
    RUNNING,
    PAUSED,
    EXITED,
    DEAD;

    static ContainerStatus of(ContainerState state) {
        if (state.isUnreadable()) {
            return DEAD;
        }
        ContainerState.Extra extra = state.isola();
        return switch (state.status()) {
            case CREATING -> extra != null && extra.restartCount() > 0 ? RESTARTING : CREATED;
            case CREATED -> CREATED;
            case RUNNING -> extra != null && extra.paused() && Lifecycle.isLive(state) ? PAUSED : RUNNING;
            default -> state.neverStarted() ? CREATED : EXITED;
        };
    }

    /** Parses Docker's word; throws naming the allowed ones. */
    static ContainerStatus parse(String word) {
        for (ContainerStatus status : values()) {
            if (status.word().equals(word)) {
                return status;
            }
        }
        throw new IllegalArgumentException("status \"" + word
                + "\": expected created, restarting, running, paused, exited" + " or dead (isola has no removing)");
    }

    String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
