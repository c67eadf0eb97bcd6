package io.isola.launcher.cli.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.isola.launcher.image.Image;
import io.isola.launcher.image.ImageStore;
import io.isola.lifecycle.Healthcheck;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * Docker's {@code --health-*} and {@code --no-healthcheck} of {@code run}, over the image's
 * HEALTHCHECK: each flag replaces that field of the image's check, as Docker merges them.
 */
final class HealthOptions {

    /** A Go duration's parts, as Docker's flags take them: 30s, 1m30s, 500ms. */
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

    @Option(
            names = "--health-cmd",
            paramLabel = "COMMAND",
            description = "Check the container's health by running COMMAND in it (through /bin/sh -c).")
    private String command;

    @Option(
            names = "--health-interval",
            paramLabel = "DURATION",
            description = "Time between checks, such as 30s (default: 30s).")
    private String interval;

    @Option(
            names = "--health-timeout",
            paramLabel = "DURATION",
            description = "Longest a check may run (default: 30s).")
    private String timeout;

    @Option(
            names = "--health-retries",
            paramLabel = "N",
            description = "Failures in a row that make it unhealthy (default: 3).")
    private Integer retries;

    @Option(
            names = "--health-start-period",
            paramLabel = "DURATION",
            description = "Time to start during which failures do not count (default: 0s).")
    private String startPeriod;

    @Option(
            names = "--health-start-interval",
            paramLabel = "DURATION",
            description = "Time between checks during the start period, such as 1s (default: 5s).")
    private String startInterval;

    @Option(names = "--no-healthcheck", description = "No health check, not even the image's.")
    private boolean none;

    /**
     * The container's check: the image's HEALTHCHECK with these flags over it; null when there is
     * none. Carried out by the container's supervisor (the server, a monitor, or a foreground run's JVM).
     */
    Healthcheck healthcheck(Image image) {
        boolean anyFlag = command != null
                || interval != null
                || timeout != null
                || retries != null
                || startPeriod != null
                || startInterval != null;
        if (none) {
            if (anyFlag) {
                throw new IllegalArgumentException(
                        "--no-healthcheck with --health-*: conflicting options, as in Docker; drop one");
            }
            return null;
        }
        JsonNode fromImage = image == null
                ? null
                : ImageStore.fromEnvironment().configOf(image).path("config").path("Healthcheck");
        List<String> test = new ArrayList<>();
        if (command != null) {
            test.addAll(List.of("CMD-SHELL", command));
        } else if (fromImage != null) {
            fromImage.path("Test").forEach(arg -> test.add(arg.asText()));
        }
        if (test.isEmpty() || test.get(0).equals("NONE")) {
            if (anyFlag) {
                throw new IllegalArgumentException(
                        "--health-* without --health-cmd: the image has no HEALTHCHECK to adjust");
            }
            return null;
        }
        if (retries != null && retries < 0) {
            throw new IllegalArgumentException("--health-retries " + retries + ": expected 0 or more");
        }
        try {
            return new Healthcheck(
                    test,
                    interval != null
                            ? nanos("--health-interval", interval)
                            : fromImage == null ? 0 : fromImage.path("Interval").asLong(),
                    timeout != null
                            ? nanos("--health-timeout", timeout)
                            : fromImage == null ? 0 : fromImage.path("Timeout").asLong(),
                    startPeriod != null
                            ? nanos("--health-start-period", startPeriod)
                            : fromImage == null
                                    ? 0
                                    : fromImage.path("StartPeriod").asLong(),
                    retries != null
                            ? retries
                            : fromImage == null ? 0 : fromImage.path("Retries").asInt(),
                    startInterval != null
                            ? nanos("--health-start-interval", startInterval)
                            : fromImage == null
                                    ? 0
                                    : fromImage.path("StartInterval").asLong());
        } catch (IllegalArgumentException e) {
            throw image == null || command != null
                    ? e
                    : new IllegalArgumentException("image " + image.name() + ": its HEALTHCHECK: " + e.getMessage(), e);
        }
    }

    /** A Go duration in nanoseconds; Docker's floor for a set interval or timeout is 1 ms (0 is the default). */
    static long nanos(String option, String value) {
        Matcher m = PART.matcher(value);
        long total = 0;
        int end = 0;
        while (m.find() && m.start() == end) {
            double unit = switch (m.group(2)) {
                case "ns" -> 1;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            total += (long) (Double.parseDouble(m.group(1)) * unit);
            end = m.end();
        }
        if (end == 0
                || end != value.length()
                || (!value.equals("0s") && total < 1_000_000 && !option.equals("--health-start-period"))) {
            throw new IllegalArgumentException(option + " \"" + value
                    + "\": expected a duration of at least 1ms, such as 30s," + " 1m30s or 500ms");
        }
        return total;
    }
}
