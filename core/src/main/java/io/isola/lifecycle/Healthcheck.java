package io.isola.lifecycle;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.util.List;

/**
 * A container's health check as Docker's {@code Config.Healthcheck} holds it (from {@code
 * --health-*} or the image's HEALTHCHECK): the test, run in the container every interval by
 * whatever supervises it; times in nanoseconds, 0 for Docker's default.
 *
 * @param test {@code ["CMD", ARG...]} or {@code ["CMD-SHELL", COMMAND]}
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record Healthcheck(
        @JsonProperty("Test") List<String> test,
        @JsonProperty("Interval") long interval,
        @JsonProperty("Timeout") long timeout,
        @JsonProperty("StartPeriod") long startPeriod,
        @JsonProperty("Retries") int retries,
        @JsonProperty("StartInterval") long startInterval) {

    /** Docker's defaults: every 30 s, 30 s each, unhealthy after 3 failures in a row. */
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30), DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** Docker 25's default time between checks in the start period (moby daemon/health.go defaultStartInterval). */
    static final Duration DEFAULT_START_INTERVAL = Duration.ofSeconds(5);

    static final int DEFAULT_RETRIES = 3;

    public Healthcheck {
        test = List.copyOf(test);
        if (test.isEmpty()
                || !(test.get(0).equals("CMD") && test.size() > 1
                        || test.get(0).equals("CMD-SHELL") && test.size() == 2)) {
            throw new IllegalArgumentException(
                    "health check test " + test + ": expected [CMD, ARG...] or [CMD-SHELL, COMMAND]");
        }
        if (interval < 0 || timeout < 0 || startPeriod < 0 || retries < 0 || startInterval < 0) {
            throw new IllegalArgumentException("health check " + test
                    + ": interval, timeout, start period, start interval and retries must not be negative");
        }
    }

    /** A check without a start interval of its own: Docker's before 25 (API 1.44). */
    public Healthcheck(List<String> test, long interval, long timeout, long startPeriod, int retries) {
        this(test, interval, timeout, startPeriod, retries, 0);
    }

    /** The command to run in the container: a CMD-SHELL test runs through /bin/sh -c, as Docker's. */
    @JsonIgnore
    public List<String> command() {
        return test.get(0).equals("CMD") ? test.subList(1, test.size()) : List.of("/bin/sh", "-c", test.get(1));
    }

    @JsonIgnore
    public Duration intervalOrDefault() {
        return interval == 0 ? DEFAULT_INTERVAL : Duration.ofNanos(interval);
    }

    @JsonIgnore
    public Duration timeoutOrDefault() {
        return timeout == 0 ? DEFAULT_TIMEOUT : Duration.ofNanos(timeout);
    }

    /**
     * How long to wait before the next check, {@code elapsed} after the container started, as
     * Docker 25 does: every start interval while it is starting (no success yet) within its start
     * period, never past the start period's end; every interval after it.
     */
    @JsonIgnore
    public Duration nextCheckAfter(Duration elapsed, boolean starting) {
        Duration period = Duration.ofNanos(startPeriod);
        if (elapsed.compareTo(period) >= 0) {
            return intervalOrDefault();
        }
        Duration next = starting
                ? (startInterval == 0 ? DEFAULT_START_INTERVAL : Duration.ofNanos(startInterval))
                : intervalOrDefault();
        Duration rest = period.minus(elapsed);
        return next.compareTo(rest) < 0 ? next : rest;
    }

    @JsonIgnore
    public int retriesOrDefault() {
        return retries == 0 ? DEFAULT_RETRIES : retries;
    }
}
