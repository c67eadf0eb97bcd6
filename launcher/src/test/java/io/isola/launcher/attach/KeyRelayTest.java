package io.isola.launcher.attach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.isola.internal.nativ.FdOutputStream;
import io.isola.internal.nativ.Fds;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link KeyRelay} with real pipes for the user's stdin. */
class KeyRelayTest {

    /**
     * A relay still passing a key when {@link KeyRelay#close} gives up waiting for it (a container
     * that reads no more of its terminal) must not, once the pass returns, read from the numbers
     * its caller has closed since: another file may have them by then (another client's stdin, in
     * a resident server).
     */
    @Test
    void aRelayOutlivingItsCloseReadsNoFdThatItsCallerClosed() throws Exception {
        int[] stdin = Fds.pipe();
        CountDownLatch passing = new CountDownLatch(1), release = new CountDownLatch(1);
        List<String> passed = new ArrayList<>();
        KeyRelay relay = KeyRelay.start("key-relay-test", stdin[0], true, 0, (buffer, length) -> {
            synchronized (passed) {
                passed.add(new String(buffer, 0, length, StandardCharsets.UTF_8));
            }
            passing.countDown();
            try {
                release.await(30, TimeUnit.SECONDS); // blocked, as in a write to a full terminal
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return true;
        });
        Thread thread = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("key-relay-test"))
                .findFirst()
                .orElseThrow();
        write(stdin[1], "a");
        passing.await(30, TimeUnit.SECONDS);
        relay.close(); // gives up on the blocked thread
        Fds.closeQuietly(stdin[0]);
        Fds.closeQuietly(stdin[1]);
        // the freed numbers taken again; the one the relay read its keys from has something to read
        List<int[]> others = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int[] other = Fds.pipe();
            others.add(other);
            if (other[0] == stdin[0]) {
                write(other[1], "other");
            }
        }
        release.countDown();
        thread.join(30_000);
        assertFalse(thread.isAlive(), "the relay ended once its pass returned");
        synchronized (passed) {
            assertEquals(List.of("a"), passed);
        }
        others.forEach(pair -> {
            Fds.closeQuietly(pair[0]);
            Fds.closeQuietly(pair[1]);
        });
    }

    private static void write(int fd, String text) throws Exception {
        try (FdOutputStream out = new FdOutputStream(Fds.dupCloexec(fd))) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }
}
