package io.isola.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What differs from one run of the golden tests to the next, or from one host of the project's
 * kind to another, replaced by names: temporary paths, generated ids, pids, fd numbers (and so
 * how the fds to close fall into ranges), and the entries of the host's own {@code /} that a
 * container on the host's files gets one by one.
 */
final class GoldenText {

    /** The entries of {@code /} the mount isolator makes itself rather than taking from the host. */
    private static final Set<String> OWN_ENTRIES = Set.of("dev", "proc", "root", "run", "sys", "tmp");

    private static final Pattern ID = Pattern.compile("(?<!x')\\b[0-9a-f]{64}\\b");
    private static final Pattern SHORT_ID_HOSTNAME = Pattern.compile("\"[0-9a-f]{12}\"");
    private static final Pattern PID = Pattern.compile("/proc/[0-9]+/");
    private static final Pattern FD_PATH = Pattern.compile("/proc/self/fd/([3-9]|[0-9]{2,})\\b");
    private static final Pattern FD_FIRST_ARG = Pattern.compile("\\b(dup2|setns|fcntl)\\([0-9]+,");
    private static final Pattern KEPT_FD = Pattern.compile("keep fd [0-9]+ open");
    private static final Pattern CLOSE_RANGE =
            Pattern.compile("^\\[core\\] close inherited file descriptors .*: close_range\\(.*\\)$");
    private static final Pattern SANDBOX_ENTRY = Pattern.compile("\"/run/isola-sandbox/([^/\"]+)\"");

    private GoldenText() {}

    static String normalise(String text, Path tempDir) throws IOException {
        text = text.replace(tempDir.toString(), "<tmp>");
        text = ID.matcher(text).replaceAll("<id>");
        text = SHORT_ID_HOSTNAME.matcher(text).replaceAll("\"<short id>\"");
        text = PID.matcher(text).replaceAll("/proc/<pid>/");
        text = FD_PATH.matcher(text).replaceAll("/proc/self/fd/<fd>");
        text = FD_FIRST_ARG.matcher(text).replaceAll("$1(<fd>,");
        text = KEPT_FD.matcher(text).replaceAll("keep fd <fd> open");
        Set<String> hostEntries = hostRootEntries();
        List<String> out = new ArrayList<>();
        boolean inCloseRanges = false, inHostEntries = false;
        for (String line : text.split("\n", -1)) {
            if (CLOSE_RANGE.matcher(line).matches()) {
                if (!inCloseRanges) {
                    out.add(
                            "[core] close inherited file descriptors: close_range(<each range of fds the child does not keep>)");
                }
                inCloseRanges = true;
                continue;
            }
            inCloseRanges = false;
            Matcher entry = SANDBOX_ENTRY.matcher(line);
            if (line.startsWith("[mount] ") && entry.find() && hostEntries.contains(entry.group(1))) {
                if (!inHostEntries) {
                    out.add("[mount] each entry of the host's / but /" + String.join(", /", new TreeSet<>(OWN_ENTRIES))
                            + ": a mount point, a read-only bind of the host's, or a link");
                }
                inHostEntries = true;
                continue;
            }
            inHostEntries = false;
            out.add(line);
        }
        return String.join("\n", out);
    }

    private static Set<String> hostRootEntries() throws IOException {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> entries = Files.list(Path.of("/"))) {
            entries.map(path -> path.getFileName().toString())
                    .filter(name -> !OWN_ENTRIES.contains(name))
                    .forEach(names::add);
        }
        return names;
    }
}
