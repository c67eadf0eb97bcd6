package io.isola.launcher.image;

import java.io.PrintWriter;

/**
 * What a pull shows, as Docker shows it: a status line per step and one per layer, by the first
 * 12 hex digits of its digest ({@code 3f4d90098f5b: Pull complete}). On a terminal the line of
 * the layer being fetched is rewritten with the bytes so far (of the one heard from last, when
 * several are fetched at once); elsewhere only the changes of state are printed, one plain line
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

    /** Lines on {@code out}, the current layer's rewritten in place as it downloads. */
    public static PullProgress terminal(PrintWriter out) {
        return new Terminal(out);
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
            return String.format("%.1fkB", bytes / 1e3);
        }
        return bytes < 1_000_000_000 ? String.format("%.1fMB", bytes / 1e6) : String.format("%.2fGB", bytes / 1e9);
    }

    private static final class Terminal extends PullProgress {
        private boolean open;
        private long shown;

        Terminal(PrintWriter out) {
            super(out);
        }

        @Override
        synchronized void status(String line) {
            out.print(open ? "\r\033[K" + line + "\n" : line + "\n");
            open = false;
            out.flush();
        }

        @Override
        synchronized void bytes(String digest, long read, long total) {
            long now = System.nanoTime();
            if (now - shown < 100_000_000L && read != total) {
                return;
            }
            shown = now;
            int width = 40;
            int done = total > 0 ? (int) Math.min(width, read * width / total) : 0;
            String bar = total > 0
                    ? "[" + "=".repeat(Math.max(0, done - 1)) + (done > 0 ? ">" : "") + " ".repeat(width - done) + "] "
                    : "";
            out.print("\r\033[K" + shortDigest(digest) + ": Downloading " + bar + size(read)
                    + (total > 0 ? "/" + size(total) : ""));
            open = true;
            out.flush();
        }
    }
}
