package io.isola.launcher.image;

import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;

/**
 * A pull's progress on a terminal, as Docker draws it: a line per layer, in the order the layers
 * were first heard of, each rewritten in place (the cursor goes up to it, the line is erased and
 * written again, the cursor comes back down), so that layers fetched side by side each show their
 * own state and bytes ({@code 3f4d90098f5b: Downloading [=====>    ] 12.3MB/45.6MB}). Status
 * lines are added below. A layer's bytes are redrawn at most every {@link #REDRAW_NANOS}: a
 * terminal fed a line per 32 KiB read would cost more than the fetch.
 */
final class TerminalPullProgress extends PullProgress {

    private static final long REDRAW_NANOS = 100_000_000L;
    /** Docker's bar: 50 wide, a {@code =} per 2 %. */
    private static final int BAR = 50;

    /** Each layer's line, counted from the first line written. */
    private final Map<String, Integer> rows = new HashMap<>();

    private final Map<String, Long> drawn = new HashMap<>();
    /** Lines written so far; the cursor is at the start of the next. */
    private int lines;

    TerminalPullProgress(PrintWriter out) {
        super(out);
    }

    @Override
    synchronized void status(String line) {
        out.print(line + "\n");
        lines++;
        out.flush();
    }

    @Override
    synchronized void layer(String digest, String state) {
        show(digest, shortDigest(digest) + ": " + state);
    }

    @Override
    synchronized void bytes(String digest, long read, long total) {
        long now = System.nanoTime();
        Long last = drawn.get(digest);
        if (last != null && now - last < REDRAW_NANOS && read != total) {
            return;
        }
        drawn.put(digest, now);
        String bar = "";
        if (total > 0) {
            int done = (int) Math.min(BAR, read * BAR / total);
            bar = "[" + "=".repeat(done) + ">" + " ".repeat(BAR - done) + "] ";
        }
        show(digest, shortDigest(digest) + ": Downloading " + bar + size(read) + (total > 0 ? "/" + size(total) : ""));
    }

    /** Writes {@code text} on the layer's line, a new one at the bottom the first time. */
    private void show(String digest, String text) {
        Integer row = rows.get(digest);
        if (row == null) {
            rows.put(digest, lines);
            status(text);
            return;
        }
        int up = lines - row;
        out.print("\033[" + up + "A\r\033[2K" + text + "\r\033[" + up + "B");
        out.flush();
    }
}
