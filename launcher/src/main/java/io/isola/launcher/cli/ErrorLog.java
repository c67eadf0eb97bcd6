package io.isola.launcher.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * runc's {@code --log} and {@code --log-format}: errors are also appended to a file, as text or as
 * one JSON object a line ({@code {"level":"error","msg":...,"time":...}}), which is how containerd
 * and podman learn why a runtime call failed.
 */
public final class ErrorLog {

    private ErrorLog() {}

    public static void record(GlobalOptions global, String message) {
        record(global, "error", message);
    }

    /** A warning, which engines show but which fails nothing (a failing poststart hook). */
    public static void warn(GlobalOptions global, String message) {
        record(global, "warning", message);
    }

    private static void record(GlobalOptions global, String level, String message) {
        if (global == null || global.log == null) {
            return;
        }
        String line;
        if ("json".equals(global.logFormat)) {
            Map<String, String> entry = new LinkedHashMap<>();
            entry.put("level", level);
            entry.put("msg", message);
            entry.put("time", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()); // RFC 3339, as runc's logrus
            try {
                line = new ObjectMapper().writeValueAsString(entry);
            } catch (IOException e) {
                line = "{\"level\":\"error\",\"msg\":\"(unprintable)\"}";
            }
        } else {
            line = Instant.now() + " " + level + ": " + message;
        }
        try {
            Files.writeString(
                    global.log,
                    line + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the error itself still goes to stderr
        }
    }
}
