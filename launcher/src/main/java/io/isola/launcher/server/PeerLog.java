package io.isola.launcher.server;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * Warnings about refused or broken clients, at most {@link #PER_MINUTE} a minute per peer (a uid,
 * or the request FIFO): the server's log is not rotated, and a local user opening thousands of
 * connections wrote a line for each (issue 23). What is held back is counted in the next line.
 */
final class PeerLog {

    static final int PER_MINUTE = 5;
    private static final long MINUTE = 60_000_000_000L;
    /** Peers remembered at once; beyond it the table starts again (a few more lines at worst). */
    private static final int MAX_PEERS = 1024;

    private final Logger log;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    PeerLog(Logger log) {
        this.log = log;
    }

    /** Logs {@code message} (slf4j's {} placeholders) at WARN unless {@code peer} used up its minute. */
    void warn(String peer, String message, Object... arguments) {
        if (windows.size() > MAX_PEERS) {
            windows.clear();
        }
        Window window = windows.computeIfAbsent(peer, p -> new Window());
        int held;
        synchronized (window) {
            long now = System.nanoTime();
            if (now - window.start > MINUTE) {
                window.start = now;
                window.logged = 0;
            }
            if (window.logged >= PER_MINUTE) {
                window.held++;
                return;
            }
            window.logged++;
            held = window.held;
            window.held = 0;
        }
        if (held > 0) {
            log.warn("({} more from {} were not logged)", held, peer);
        }
        log.warn(message, arguments);
    }

    private static final class Window {
        long start = System.nanoTime();
        int logged;
        int held;
    }
}
