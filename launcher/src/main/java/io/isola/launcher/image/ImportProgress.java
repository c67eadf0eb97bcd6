package io.isola.launcher.image;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;

/**
 * What an import shows while it runs: on a terminal, one line rewritten in place with the bytes
 * read and the layer being stored; elsewhere nothing, so that scripts and logs stay clean.
 */
public class ImportProgress {

    /** Shows nothing. */
    public static final ImportProgress QUIET = new ImportProgress();

    protected ImportProgress() {}

    /** A progress line on {@code terminal} when there is a console, else {@link #QUIET}. */
    public static ImportProgress forConsole(PrintStream terminal) {
        return System.console() != null ? new Line(terminal) : QUIET;
    }

    /** A progress line on {@code terminal}, rewritten in place. */
    public static ImportProgress line(PrintStream terminal) {
        return new Line(terminal);
    }

    void layer(int index, int count, String digest) {}

    void bytes(long read, long total) {}

    void done() {}

    /** {@code in}, reporting how much of {@code total} has been read. */
    InputStream counting(InputStream in, long total) {
        return new FilterInputStream(in) {
            private long read;

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    bytes(++read, total);
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                if (n > 0) {
                    read += n;
                    bytes(read, total);
                }
                return n;
            }
        };
    }

    private static final class Line extends ImportProgress {
        private final PrintStream out;
        private long lastShown;
        private boolean shown;

        Line(PrintStream out) {
            this.out = out;
        }

        @Override
        void bytes(long read, long total) {
            long now = System.nanoTime();
            if (now - lastShown > 100_000_000L || read == total) {
                lastShown = now;
                shown = true;
                out.printf(
                        "\rreading %d/%d MB (%d%%)   ", read >> 20, total >> 20, total == 0 ? 100 : read * 100 / total);
                out.flush();
            }
        }

        @Override
        void layer(int index, int count, String digest) {
            shown = true;
            out.printf("%nlayer %d/%d %s", index, count, digest.substring(0, Math.min(19, digest.length())));
            out.flush();
        }

        @Override
        void done() {
            if (shown) {
                out.println();
            }
        }
    }
}
