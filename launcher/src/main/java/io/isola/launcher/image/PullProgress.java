package io.isola.launcher.image;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * What a pull shows, as Docker shows it: a status line per step and one per layer, by the first
 * 12 hex digits of its digest ({@code 3f4d90098f5b: Pull complete}). On a terminal each layer
 * keeps one line, rewritten in place as its bytes arrive ({@link TerminalPullProgress}: layers
 * are fetched side by side); elsewhere only the changes of state are printed, one plain line
 * each, so that logs and pipes stay readable.
 */
public class PullProgress {

    /** Shows nothing ({@code pull -q}). */
    public static final PullProgress QUIET = new PullProgress(null);

    protected final PrintWriter out;

    protected PullProgress(PrintWriter out) {
        this.out = out;
    }

    /** Plain lines on {@code out}. */
    public static PullProgress lines(PrintWriter out) {
        return new PullProgress(out);
    }

    /** A line per layer on {@code out}, a terminal, each rewritten in place. */
    public static PullProgress terminal(PrintWriter out) {
        return new TerminalPullProgress(out);
    }

    /** {@link #terminal} when {@code out} goes to a terminal, else {@link #lines}. */
    public static PullProgress of(PrintWriter out, boolean terminal) {
        return terminal ? terminal(out) : lines(out);
    }

    synchronized void status(String line) { // layers are fetched side by side: one line at a time
        if (out != null) {
            out.println(line);
            out.flush();
        }
    }

    void layer(String digest, String state) {
        status(shortDigest(digest) + ": " + state);
    }

    void bytes(String digest, long read, long total) {}

    static String shortDigest(String digest) {
        String hex = digest.substring(digest.indexOf(':') + 1);
        return hex.substring(0, Math.min(12, hex.length()));
    }

    static String size(long bytes) {
        if (bytes < 1000) {
            return bytes + "B";
        }
        if (bytes < 1_000_000) {
            return String.format(Locale.ROOT, "%.1fkB", bytes / 1e3);
        }
        return bytes < 1_000_000_000
                ? String.format(Locale.ROOT, "%.1fMB", bytes / 1e6)
                : String.format(Locale.ROOT, "%.2fGB", bytes / 1e9);
    }
}
