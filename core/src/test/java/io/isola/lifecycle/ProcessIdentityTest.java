package io.isola.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessIdentityTest {

    /**
     * A state may record -1 for a start time it could not read (a network attachment did); the
     * process with that pid is gone, whose start time also reads as -1, yet it must not look alive.
     */
    @Test
    void anUnreadStartTimeNeverMatchesAProcessThatIsGone() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertEquals(0, gone.waitFor());
        assertFalse(new ProcessIdentity(gone.pid(), -1).isAlive());
    }

    /** The command name (field 2) may hold spaces and parentheses; the fields are counted after the last ')'. */
    @Test
    void aCommandNameWithSpacesAndParenthesesIsReadPastIt(@TempDir Path dir) throws Exception {
        Path odd = Files.createSymbolicLink(dir.resolve("a) b (c"), Path.of("/bin/sleep"));
        Process sleeper = new ProcessBuilder(odd.toString(), "30").start();
        try {
            ProcessIdentity identity = ProcessIdentity.of(sleeper.pid());
            assertNotEquals(ProcessIdentity.NONE, identity);
            assertTrue(identity.isAlive());
            assertFalse(new ProcessIdentity(sleeper.pid(), identity.startTime() + 1).isAlive());
        } finally {
            sleeper.destroyForcibly();
            assertTrue(sleeper.waitFor(10, TimeUnit.SECONDS));
        }
        assertFalse(ProcessIdentity.of(sleeper.pid()).isAlive());
    }
}
