package io.isola.lifecycle;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Why a monitor process did not start its container, as the CLI tells the user: how it ended and
 * the end of its log. The log is quoted rather than pointed to, because a container that never ran
 * is forgotten right after ({@link Monitor#failed}), its state directory and the log in it too.
 */
final class MonitorEnded {

    /** A JVM's fatal error is a few lines; a stack trace's top is what names the cause. */
    static final int LINES = 20;

    /** Enough for {@link #LINES} lines of a stack trace, without reading a long log whole. */
    private static final int TAIL_BYTES = 8192;

    private MonitorEnded() {}

    /** For a monitor whose first line was neither answer; {@code line} null: it closed its stdout first. */
    static String message(Process monitor, String line, Path log) {
        String how = line != null
                ? "answered \"" + line + "\" instead of starting the container"
                : "ended (" + status(monitor) + ") without starting the container";
        return "the monitor process " + how + "; " + tail(log);
    }

    /** Java reports a process killed by signal N as exit status 128 + N, as a shell does. */
    private static String status(Process monitor) {
        if (monitor.isAlive()) {
            return "still running, its standard output closed";
        }
        int code = monitor.exitValue();
        return code > 128 && code < 128 + 65 ? "killed by signal " + (code - 128) : "exit status " + code;
    }

    /** The end of the monitor's log, quoted for an error message. */
    static String tail(Path log) {
        String text;
        boolean cut;
        try (SeekableByteChannel channel =
                Files.newByteChannel(log, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
            long start = Math.max(0, channel.size() - TAIL_BYTES);
            ByteBuffer buffer = ByteBuffer.allocate((int) (channel.size() - start));
            channel.position(start);
            while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                // until the end as it was when sized
            }
            text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
            cut = start > 0;
            if (cut) {
                text = text.substring(text.indexOf('\n') + 1); // a line cut in two is not quoted
            }
        } catch (IOException e) {
            return "its log " + log + " cannot be read: " + e.getMessage();
        }
        List<String> lines = Arrays.stream(text.split("\n"))
                .map(String::stripTrailing)
                .filter(line -> !line.isEmpty())
                .toList();
        if (lines.isEmpty()) {
            return "its log is empty";
        }
        List<String> shown = lines.subList(Math.max(0, lines.size() - LINES), lines.size());
        return (cut || shown.size() < lines.size() ? "its log (its last " + shown.size() + " lines):\n" : "its log:\n")
                + shown.stream().map(line -> "  " + line).collect(Collectors.joining("\n"));
    }
}
