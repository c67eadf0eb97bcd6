package io.isola.launcher.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/** The server's warnings about clients: a few a minute per peer, however many connections it makes. */
class PeerLogTest {

    private final List<String> lines = new ArrayList<>();
    private final Logger logger = (Logger) Proxy.newProxyInstance(
            Logger.class.getClassLoader(), new Class<?>[] {Logger.class}, (proxy, method, args) -> {
                if (method.getName().equals("warn")) {
                    lines.add((String) args[0]);
                }
                return method.getReturnType() == boolean.class ? Boolean.TRUE : null;
            });

    @Test
    void logsAFewLinesAMinutePerPeer() {
        PeerLog log = new PeerLog(logger);

        for (int i = 0; i < 2000; i++) {
            log.warn("uid 1000", "refused a client of uid {}", 1000);
        }
        log.warn("uid 1001", "refused a client of uid {}", 1001);

        assertEquals(PeerLog.PER_MINUTE + 1, lines.size(), lines.toString());
    }
}
