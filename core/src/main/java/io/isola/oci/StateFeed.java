package io.isola.oci;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a hook's stdin (the container's state) from a thread of its own: a state larger than a
 * pipe holds (an engine's annotations) blocks the write until the hook reads, and a hook that hangs
 * without reading must still be ended at its timeout, which the runtime measures meanwhile. The
 * thread ends when the state is written, or with EPIPE once the hook has ended.
 */
final class StateFeed {

    private StateFeed() {}

    static void start(String hook, OutputStream stdin, String stateJson) {
        Thread writer = new Thread(
                () -> {
                    try (stdin) {
                        stdin.write(stateJson.getBytes(StandardCharsets.UTF_8));
                    } catch (IOException e) {
                        // a hook need not read its stdin
                    }
                },
                "state for " + hook);
        writer.setDaemon(true); // a hook killed at its timeout ends it with EPIPE; never keeps the runtime up
        writer.start();
    }
}
