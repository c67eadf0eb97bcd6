package io.isola.launcher.cli.run;

import io.isola.internal.nativ.Signals;
import io.isola.launcher.image.Image;
import io.isola.launcher.image.ImageStore;
import io.isola.lifecycle.StopConfig;
import picocli.CommandLine.Option;

/** Docker's {@code --stop-signal} and {@code --stop-timeout} of {@code run}: how {@code stop} and {@code restart} end it. */
final class StopOptions {

    @Option(
            names = "--stop-signal",
            paramLabel = "SIGNAL",
            description = "Signal that stop and restart send first (default: the image's StopSignal, else SIGTERM).")
    private String signal;

    @Option(
            names = "--stop-timeout",
            paramLabel = "SECONDS",
            description = "Seconds stop waits after that signal before SIGKILL (default: 10; -1: no limit).")
    private Integer timeout;

    /**
     * How the container is stopped: these options, else {@code image}'s StopSignal (read from its
     * config as Docker keeps it); null when neither says anything (SIGTERM, 10 s).
     */
    StopConfig config(Image image) {
        String name = signal;
        if (name == null && image != null) {
            String fromImage = ImageStore.fromEnvironment()
                    .configOf(image)
                    .path("config")
                    .path("StopSignal")
                    .asText("");
            name = fromImage.isEmpty() ? null : fromImage;
        }
        if (timeout != null && timeout < -1) {
            throw new IllegalArgumentException(
                    "--stop-timeout " + timeout + ": expected -1 (no limit), 0 or more seconds");
        }
        if (name == null && timeout == null) {
            return null;
        }
        int number;
        try {
            number = name == null ? Signals.SIGTERM : Signals.parse(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    (signal != null ? "--stop-signal: " : "image " + image.name() + ": its StopSignal: ")
                            + e.getMessage(),
                    e);
        }
        return new StopConfig(name, number, timeout);
    }
}
