package io.isola.testing;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.ExitStatus;
import io.isola.api.Isola;
import io.isola.api.Stdio;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** What a user sees of a finished container: its exit status and everything it printed. */
public record Outcome(ExitStatus status, String out, String err) {

    private static final Duration LIMIT = Duration.ofSeconds(60);

    /** Runs {@code spec} with stdout and stderr piped, reading both to the end, bounded in time. */
    public static Outcome of(Isola isola, ContainerSpec spec) throws Exception {
        ContainerSpec piped =
                spec.toBuilder().stdout(Stdio.PIPE).stderr(Stdio.PIPE).build();
        try (Container container = isola.start(piped)) {
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(container.stderr()));
            String out = drain(container.stdout());
            ExitStatus status = container
                    .waitFor(LIMIT)
                    .orElseThrow(() -> new AssertionError("container did not exit within " + LIMIT));
            return new Outcome(status, out, err.get());
        }
    }

    /** Runs a shell script in a container with the runtime's default isolators. */
    public static Outcome sh(Isola isola, String script) throws Exception {
        return of(isola, ContainerSpec.builder("sh", "-c", script).build());
    }

    private static String drain(InputStream in) {
        try (in) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            in.transferTo(bytes);
            return bytes.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
