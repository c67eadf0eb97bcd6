package io.isola.launcher.health;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.StateStore;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Docker's {@code State.Health} of a container: starting, healthy or unhealthy, the failures in a
 * row and the last {@link #KEPT} results. Kept beside the container's state as {@value #FILE},
 * written whole (a rename) by the checker alone, so it never contends with the state's lock.
 *
 * @param pid the container process the results are about: a result of an earlier run is not shown
 */
public record HealthState(
        @JsonProperty("Status") String status,
        @JsonProperty("FailingStreak") int failingStreak,
        @JsonProperty("Log") List<Result> log,
        @JsonProperty("Pid") long pid) {

    public static final String STARTING = "starting", HEALTHY = "healthy", UNHEALTHY = "unhealthy", NONE = "none";
    static final String FILE = "health.json";
    private static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    /** Docker keeps the last five results. */
    static final int KEPT = 5;

    /** One check: when it ran, its exit code (-1 when it could not run or timed out) and its output. */
    public record Result(
            @JsonProperty("Start") String start,
            @JsonProperty("End") String end,
            @JsonProperty("ExitCode") int exitCode,
            @JsonProperty("Output") String output) {}

    static HealthState starting(long pid) {
        return new HealthState(STARTING, 0, List.of(), pid);
    }

    /** Docker's words for {@code ps}'s STATUS: "(healthy)", "(health: starting)", "(unhealthy)". */
    public String statusSuffix() {
        return STARTING.equals(status) ? " (health: starting)" : " (" + status + ")";
    }

    /** Docker's {@code --filter health=} word of {@code state}: starting, healthy, unhealthy, or none without a check. */
    public static String word(StateStore store, ContainerState state) {
        HealthState health = state.status() == ContainerState.Status.RUNNING ? of(store, state) : null;
        return health == null ? NONE : health.status();
    }

    /**
     * After {@code result}, as Docker's monitor counts: a success makes it healthy; a failure counts
     * towards {@code retries} unless it came within the start period while still starting.
     */
    HealthState after(Result result, boolean inStartPeriod, int retries) {
        List<Result> kept = new ArrayList<>(log);
        kept.add(result);
        while (kept.size() > KEPT) {
            kept.remove(0);
        }
        if (result.exitCode() == 0) {
            return new HealthState(HEALTHY, 0, kept, pid);
        }
        if (inStartPeriod && STARTING.equals(status)) {
            return new HealthState(status, failingStreak, kept, pid);
        }
        int streak = failingStreak + 1;
        return new HealthState(streak >= retries ? UNHEALTHY : status, streak, kept, pid);
    }

    /**
     * The health of {@code state} (of {@code store}) as inspect and ps show it, for a container
     * with a check: its current run's results, "starting" before the first; a stopped one's last;
     * null for none. A foreground container's too: the JVM that runs it checks it.
     */
    public static HealthState of(StateStore store, ContainerState state) {
        if (state.isola() == null
                || state.isola().spec() == null
                || state.isola().spec().health() == null) {
            return null;
        }
        boolean running = state.status() == ContainerState.Status.RUNNING;
        try {
            // in its state directory, where the checker writes it
            Path file = store.dir(state.id()).resolve(FILE);
            HealthState read = JSON.readValue(Files.readAllBytes(file), HealthState.class);
            // a stopped container shows its last run's health, as Docker's does
            return !running || read.pid() == state.pid() ? read : starting(state.pid());
        } catch (NoSuchFileException e) {
            return running ? starting(state.pid()) : null;
        } catch (IOException e) {
            return running ? starting(state.pid()) : null; // written by a rename: unreadable means no checker wrote it
        }
    }

    void write(StateStore store, String id) throws IOException {
        Path dir = store.dir(id);
        Path temp = Files.createTempFile(dir, ".health", ".tmp");
        try {
            Files.write(temp, JSON.writeValueAsBytes(this));
            try {
                Files.move(
                        temp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
