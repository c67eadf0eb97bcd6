package io.isola.lifecycle;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;

/**
 * How {@code stop} and {@code restart} end a container, as Docker's {@code --stop-signal},
 * {@code --stop-timeout} and an image's {@code StopSignal} set it: the signal first, SIGKILL once
 * the timeout has passed.
 *
 * @param signalName the signal as the user or the image wrote it ({@code SIGUSR1}), for inspect; null when
 *        neither did (SIGTERM)
 * @param signal its number
 * @param timeoutSeconds seconds before SIGKILL, or null for the default ({@link #DEFAULT_TIMEOUT})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StopConfig(String signalName, int signal, Integer timeoutSeconds) {

    /** Docker's: 10 seconds between the stop signal and SIGKILL. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    public StopConfig {
        if (signal < 1 || signal > 64) {
            throw new IllegalArgumentException("stop signal " + signal + ": expected 1 to 64");
        }
        if (timeoutSeconds != null && timeoutSeconds < -1) {
            throw new IllegalArgumentException(
                    "stop timeout " + timeoutSeconds + ": expected -1 (no limit), 0 or more seconds");
        }
    }

    /** The timeout to use, {@code asked} (stop -t) first; Docker's -1 waits without limit. */
    Duration timeout(Duration asked) {
        if (asked != null) {
            return asked;
        }
        if (timeoutSeconds == null) {
            return DEFAULT_TIMEOUT;
        }
        return timeoutSeconds < 0 ? Duration.ofDays(365) : Duration.ofSeconds(timeoutSeconds);
    }
}
