package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.launcher.client.Verbs;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The CLI in the test's JVM ({@link Main#execute}) with a state root and an image store of the
 * test's own; {@link #close} removes every container and forgets the store.
 */
final class InProcessCli implements AutoCloseable {

    private final Path state;
    private String lastOut = "";
    private String lastErr = "";

    InProcessCli(Path dir) {
        RootOnly.require();
        state = dir.resolve("state");
        System.setProperty("isola.root", dir.resolve("images").toString());
    }

    String lastOut() {
        return lastOut;
    }

    String lastErr() {
        return lastErr;
    }

    int isola(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("--root", state.toString()));
        all.addAll(List.of(args));
        int code = Main.execute(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        lastOut = out.toString();
        lastErr = err.toString();
        return code;
    }

    /** Runs a command that must succeed; its output. */
    String ok(String... args) {
        assertEquals(0, isola(args), () -> String.join(" ", args) + ": " + lastErr);
        return lastOut;
    }

    /** Runs a command that must fail as isola does (125 for run, 1 for any other verb; one line) with {@code expected} in its message. */
    void fails(String expected, String... args) {
        assertEquals(
                Main.failureStatus(Verbs.verb(args)),
                isola(args),
                () -> String.join(" ", args) + " succeeded: " + lastOut);
        assertTrue(lastErr.contains(expected), lastErr);
        assertEquals(1, lastErr.lines().filter(l -> !l.startsWith("see ")).count(), lastErr);
    }

    @Override
    public void close() {
        isola("ps", "-a", "-q");
        for (String id : lastOut.lines().toList()) {
            isola("rm", "-f", id);
        }
        System.clearProperty("isola.root");
    }
}
