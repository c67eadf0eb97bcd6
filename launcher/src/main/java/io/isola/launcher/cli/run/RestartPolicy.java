package io.isola.launcher.cli.run;

import java.time.Duration;

/**
 * Docker's {@code --restart}: whether the resident server runs a detached container again once
 * it has ended. A container that a user stopped ({@code stop}, {@code kill}) is never restarted.
 * {@code always} and {@code unless-stopped} differ in Docker only when the daemon starts (it
 * restarts the {@code always} ones that were stopped); isola's server restarts nothing when it
 * starts, so the two act alike.
 *
 * @param kind the policy
 * @param maxRetries for {@code on-failure:N}, N; 0 for no limit
 */
public record RestartPolicy(Kind kind, int maxRetries) {

    /** The policies, by Docker's names. */
    public enum Kind {
        NO("no"),
        ON_FAILURE("on-failure"),
        ALWAYS("always"),
        UNLESS_STOPPED("unless-stopped");

        private final String word;

        Kind(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }
    }

    public static final RestartPolicy NO = new RestartPolicy(Kind.NO, 0);

    /** Docker's back-off: 100 ms, doubled at each restart, at most a minute; reset after a run of 10 s. */
    private static final Duration FIRST_DELAY = Duration.ofMillis(100),
            MAX_DELAY = Duration.ofMinutes(1),
            LONG_RUN = Duration.ofSeconds(10);

    /** Parses {@code no}, {@code always}, {@code unless-stopped}, {@code on-failure} or {@code on-failure:N}. */
    public static RestartPolicy parse(String value) {
        String name = value;
        String count = null;
        int colon = value.indexOf(':');
        if (colon >= 0) {
            name = value.substring(0, colon);
            count = value.substring(colon + 1);
        }
        for (Kind kind : Kind.values()) {
            if (!kind.word.equals(name)) {
                continue;
            }
            if (count == null) {
                return new RestartPolicy(kind, 0);
            }
            if (kind != Kind.ON_FAILURE) {
                throw new IllegalArgumentException(
                        "restart policy \"" + value + "\": a retry count is for on-failure only");
            }
            try {
                int retries = Integer.parseInt(count);
                if (retries >= 0) {
                    return new RestartPolicy(kind, retries);
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(
                    "restart policy \"" + value + "\": expected on-failure:N, N a count of 0 or more");
        }
        throw new IllegalArgumentException(
                "restart policy \"" + value + "\": expected no, always, unless-stopped, on-failure or on-failure:N");
    }

    /** Whether a container that ended with {@code exitCode}, after {@code restarts} restarts, is run again. */
    public boolean restarts(Integer exitCode, int restarts, boolean stoppedByUser) {
        if (stoppedByUser) {
            return false;
        }
        return switch (kind) {
            case NO -> false;
            case ALWAYS, UNLESS_STOPPED -> true;
            case ON_FAILURE -> (exitCode == null || exitCode != 0) && (maxRetries == 0 || restarts < maxRetries);
        };
    }

    /** How long to wait before restart number {@code restarts} + 1, after a run of {@code ran}. */
    public static Duration delay(int restarts, Duration ran) {
        if (ran.compareTo(LONG_RUN) >= 0) {
            return FIRST_DELAY;
        }
        return FIRST_DELAY.multipliedBy(1L << Math.min(restarts, 10)).compareTo(MAX_DELAY) > 0
                ? MAX_DELAY
                : FIRST_DELAY.multipliedBy(1L << Math.min(restarts, 10));
    }

    @Override
    public String toString() {
        return kind == Kind.ON_FAILURE && maxRetries > 0 ? kind.word + ":" + maxRetries : kind.word;
    }
}
