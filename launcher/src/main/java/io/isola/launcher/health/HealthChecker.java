package io.isola.launcher.health;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.ExitStatus;
import io.isola.api.Stdio;
import io.isola.launcher.IsolaRuntime;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Healthcheck;
import io.isola.lifecycle.Lifecycle;
import io.isola.lifecycle.SavedSpec;
import io.isola.lifecycle.StateStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out a container's {@link Healthcheck}, on a thread of whatever supervises it (the
 * resident server, the container's monitor process, or the JVM that runs it in the foreground), as
 * Docker's daemon does: every interval (every start interval while it starts) the test runs in the container as {@code exec} runs a process there (its env, cwd and
 * user), and the result goes into its {@link HealthState}. The thread ends with the run it watches
 * (the container stops, is removed or is started again, which gets a checker of its own).
 */
public final class HealthChecker implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);
    /** Docker keeps the first 4096 bytes of a check's output. */
    private static final int OUTPUT_LIMIT = 4096;
    /** How long a checker waits for the container it was started for to run (its monitor is starting it). */
    private static final Duration START_WAIT = Duration.ofSeconds(60);

    private final StateStore store;
    private final String id;

    private HealthChecker(StateStore store, String id) {
        this.store = store;
        this.id = id;
    }

    /** Starts checking container {@code id} once it runs, if it has a health check; returns at once. */
    public static void watch(StateStore store, String id) {
        ContainerState state = store.read(id);
        if (state == null
                || state.isola() == null
                || state.isola().spec() == null
                || state.isola().spec().health() == null) {
            return;
        }
        Thread thread =
                new Thread(new HealthChecker(store, id), "isola-health-" + id.substring(0, Math.min(12, id.length())));
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void run() {
        try {
            ContainerState running = awaitRunning();
            if (running == null) {
                return;
            }
            Healthcheck check = running.isola().spec().health();
            Instant started = Instant.now();
            HealthState health = HealthState.starting(running.pid());
            health.write(store, id);
            while (true) {
                Thread.sleep(check.nextCheckAfter(
                                Duration.between(started, Instant.now()), HealthState.STARTING.equals(health.status()))
                        .toMillis());
                ContainerState now = store.read(id);
                if (now == null || now.status() != ContainerState.Status.RUNNING || now.pid() != running.pid()) {
                    return; // stopped, removed, or a new run with a checker of its own
                }
                if (now.isola() != null && now.isola().paused()) {
                    continue; // its processes are frozen, and so would the check's be
                }
                HealthState.Result result = probe(now, check);
                boolean inStartPeriod = Duration.between(started, Instant.now()).toNanos() < check.startPeriod();
                health = health.after(result, inStartPeriod, check.retriesOrDefault());
                ContainerState after = store.read(id);
                if (after == null || after.pid() != running.pid()) {
                    return;
                }
                health.write(store, id);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            LOG.warn("container {}: its health check stopped: {}", id, e.toString());
        }
    }

    private ContainerState awaitRunning() throws InterruptedException {
        long deadline = System.nanoTime() + START_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            ContainerState state = store.read(id);
            if (state == null || state.status() == ContainerState.Status.STOPPED) {
                return null;
            }
            if (state.status() == ContainerState.Status.RUNNING && state.pid() > 0) {
                return state;
            }
            Thread.sleep(50);
        }
        return null;
    }

    /** Runs the test once in the container: its exit code and output, -1 with why when it did not finish. */
    private HealthState.Result probe(ContainerState state, Healthcheck check) throws InterruptedException, IOException {
        Instant start = Instant.now();
        Path output = store.dir(id).resolve("health-output");
        Files.deleteIfExists(output);
        SavedSpec saved = state.isola().spec();
        ContainerSpec.Builder builder = ContainerSpec.builder(check.command())
                .cwd(saved.cwd() == null ? "/" : saved.cwd())
                .stdin(Stdio.NULL)
                .stdout(new Stdio.ToFile(output, true))
                .stderr(new Stdio.ToFile(output, true));
        if (saved.env() != null) {
            builder.env(saved.env());
        }
        if (saved.user() != null) {
            builder.with(saved.user()); // as exec runs a process: the container's user
        }
        int code;
        String text;
        try (IsolaRuntime runtime = IsolaRuntime.bare();
                Container process = runtime.isola().start(new Lifecycle(store).execSpec(id, builder))) {
            Optional<ExitStatus> status = process.waitFor(check.timeoutOrDefault());
            if (status.isPresent()) {
                code = status.get().shellCode();
                text = read(output);
            } else {
                process.kill(Lifecycle.SIGKILL);
                process.waitFor();
                code = -1;
                text = "Health check exceeded timeout ("
                        + check.timeoutOrDefault().toSeconds() + "s)";
            }
        } catch (RuntimeException e) {
            code = -1;
            text = e.getMessage() == null ? e.toString() : e.getMessage();
        } finally {
            Files.deleteIfExists(output);
        }
        return new HealthState.Result(start.toString(), Instant.now().toString(), code, text);
    }

    private static String read(Path output) throws IOException {
        try (InputStream in = Files.newInputStream(output)) {
            return new String(in.readNBytes(OUTPUT_LIMIT), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        }
    }
}
