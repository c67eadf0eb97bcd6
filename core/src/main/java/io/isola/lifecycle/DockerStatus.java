package io.isola.lifecycle;

import java.util.Locale;

/**
 * A container's state in Docker's words (what {@code ps --filter status=} and {@code {{.State}}}
 * take), from isola's: creating is {@code created} (or {@code restarting} when its restart policy
 * is starting it again), stopped is {@code exited} ({@code created} when Docker's {@code create}
 * made it and it never started), a running container whose cgroup is frozen is {@code paused}, a
 * state that cannot be read is {@code dead}. The one mapping: {@code inspect}'s State.Status, and
 * the launcher's {@code ps}, filters and {@code info}.
 */
public enum DockerStatus {
    CREATED,
    RESTARTING,
    RUNNING,
    PAUSED,
    EXITED,
    DEAD;

    /** From the state file alone: a running container is taken to be alive. */
    public static DockerStatus of(ContainerState state) {
        return of(state, true);
    }

    /**
     * With {@code alive}, what the caller found of the container's process: a frozen cgroup whose
     * process is gone is not paused (inspect looks; ps does not, to read no procfs per row).
     */
    public static DockerStatus of(ContainerState state, boolean alive) {
        if (state.isUnreadable()) {
            return DEAD;
        }
        ContainerState.Extra extra = state.isola();
        return switch (state.status()) {
            case CREATING -> extra != null && extra.restartCount() > 0 ? RESTARTING : CREATED;
            case CREATED -> CREATED;
            case RUNNING -> extra != null && extra.paused() && alive ? PAUSED : RUNNING;
            default -> state.neverStarted() ? CREATED : EXITED;
        };
    }

    /** Parses Docker's word; throws naming the allowed ones. */
    public static DockerStatus parse(String word) {
        for (DockerStatus status : values()) {
            if (status.word().equals(word)) {
                return status;
            }
        }
        throw new IllegalArgumentException("status \"" + word
                + "\": expected created, restarting, running, paused, exited" + " or dead (isola has no removing)");
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
