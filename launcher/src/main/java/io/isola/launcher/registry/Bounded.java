package io.isola.launcher.registry;

import java.io.IOException;
import java.io.InputStream;

/** Reads a small document whole, refusing one over a limit instead of filling the heap. */
final class Bounded {

    private Bounded() {}

    static byte[] read(InputStream in, int limit, String what) throws IOException {
        try (in) {
            byte[] content = in.readNBytes(limit + 1);
            if (content.length > limit) {
                throw new IOException(what + " is over " + limit + " bytes; image metadata may be at most that");
            }
            return content;
        }
    }
}
