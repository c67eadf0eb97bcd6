package io.isola.launcher.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a pull shows while three layers are fetched side by side: on a terminal a line per layer,
 * each rewritten in place (read here as a terminal would show it), elsewhere plain lines only.
 */
class PullProgressTest {

    private static final String A = "sha256:aaaaaaaaaaaa1111",
            B = "sha256:bbbbbbbbbbbb2222",
            C = "sha256:cccccccccccc3333";

    /** Three layers whose events interleave, as the fetch threads send them. */
    private static void pull(PullProgress progress) {
        progress.status("1: Pulling from test/busybox");
        progress.layer(A, "Pulling fs layer");
        progress.layer(B, "Pulling fs layer");
        progress.layer(C, "Already exists");
        progress.bytes(A, 1_000_000, 45_600_000);
        progress.bytes(B, 12_300_000, 45_600_000);
        progress.bytes(A, 2_000_000, 45_600_000);
        progress.layer(B, "Verifying Checksum");
        progress.layer(B, "Pull complete");
        progress.bytes(A, 45_600_000, 45_600_000);
        progress.layer(A, "Verifying Checksum");
        progress.layer(A, "Pull complete");
        progress.status("Digest: sha256:dddd");
    }

    @Test
    void aTerminalShowsOneLinePerLayerRewrittenInPlace() {
        StringWriter shown = new StringWriter();
        PullProgress progress = PullProgress.terminal(new PrintWriter(shown));
        progress.status("1: Pulling from test/busybox");
        progress.layer(A, "Pulling fs layer");
        progress.layer(B, "Pulling fs layer");
        progress.bytes(B, 12_300_000, 45_600_000);
        progress.bytes(A, 1_000_000, 45_600_000);
        List<String> midway = screen(shown.toString());
        assertEquals("1: Pulling from test/busybox", midway.get(0));
        // Docker's bar: 50 wide, one = per 2 %
        assertEquals("aaaaaaaaaaaa: Downloading [=>" + " ".repeat(49) + "] 1.0MB/45.6MB", midway.get(1));
        assertEquals(
                "bbbbbbbbbbbb: Downloading [" + "=".repeat(13) + ">" + " ".repeat(37) + "] 12.3MB/45.6MB",
                midway.get(2));
        assertEquals(3, midway.size(), midway::toString);

        StringWriter whole = new StringWriter();
        pull(PullProgress.terminal(new PrintWriter(whole)));
        assertEquals(
                List.of(
                        "1: Pulling from test/busybox",
                        "aaaaaaaaaaaa: Pull complete",
                        "bbbbbbbbbbbb: Pull complete",
                        "cccccccccccc: Already exists",
                        "Digest: sha256:dddd"),
                screen(whole.toString()));
    }

    @Test
    void elsewhereEachChangeOfStateIsAPlainLine() {
        StringWriter shown = new StringWriter();
        pull(PullProgress.lines(new PrintWriter(shown)));
        assertFalse(shown.toString().contains("\033") || shown.toString().contains("\r"), shown::toString);
        assertEquals(
                List.of(
                        "1: Pulling from test/busybox",
                        "aaaaaaaaaaaa: Pulling fs layer",
                        "bbbbbbbbbbbb: Pulling fs layer",
                        "cccccccccccc: Already exists",
                        "bbbbbbbbbbbb: Verifying Checksum",
                        "bbbbbbbbbbbb: Pull complete",
                        "aaaaaaaaaaaa: Verifying Checksum",
                        "aaaaaaaaaaaa: Pull complete",
                        "Digest: sha256:dddd"),
                shown.toString().lines().toList());
    }

    /**
     * The lines a terminal shows after {@code output}: text, line feeds, carriage returns, and the
     * escapes a progress display uses (cursor up and down by N, erase the line).
     */
    static List<String> screen(String output) {
        List<StringBuilder> lines = new ArrayList<>(List.of(new StringBuilder()));
        int row = 0, column = 0;
        for (int i = 0; i < output.length(); i++) {
            char c = output.charAt(i);
            if (c == '\n') {
                row++;
                column = 0;
                if (row == lines.size()) {
                    lines.add(new StringBuilder());
                }
            } else if (c == '\r') {
                column = 0;
            } else if (c == '\033' && output.charAt(i + 1) == '[') {
                int end = i + 2;
                while (!Character.isLetter(output.charAt(end))) {
                    end++;
                }
                String number = output.substring(i + 2, end);
                int n = number.isEmpty() ? 1 : Integer.parseInt(number);
                switch (output.charAt(end)) {
                    case 'A' -> row = Math.max(0, row - n);
                    case 'B' -> row = Math.min(lines.size() - 1, row + n);
                    case 'K' -> lines.get(row).setLength(number.equals("2") ? 0 : column);
                    default ->
                        throw new AssertionError(
                                "an escape a terminal test does not know: " + number + output.charAt(end));
                }
                i = end;
            } else {
                StringBuilder line = lines.get(row);
                if (column < line.length()) {
                    line.setCharAt(column, c);
                } else {
                    line.append(c);
                }
                column++;
            }
        }
        List<String> shown = new ArrayList<>();
        for (StringBuilder line : lines) {
            shown.add(line.toString());
        }
        if (shown.get(shown.size() - 1).isEmpty()) {
            shown.remove(shown.size() - 1);
        }
        return shown;
    }
}
