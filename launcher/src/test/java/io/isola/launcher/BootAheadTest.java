package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which command lines boot the framework ahead of their parse: a false guess costs only time. */
class BootAheadTest {

    @Test
    void aForegroundRunAndTheOciCreateBootAhead() {
        assertTrue(BootAhead.wanted(new String[] {"run", "--rm", "busybox", "true"}));
        assertTrue(BootAhead.wanted(new String[] {"--root", "/r", "run", "-it", "busybox", "sh"}));
        assertTrue(BootAhead.wanted(new String[] {"create", "--bundle", "/b", "c1"}));
        assertTrue(BootAhead.wanted(new String[] {"run", "-h", "web", "busybox", "true"})); // --hostname
        // the container's own -d
        assertTrue(BootAhead.wanted(new String[] {"run", "busybox", "--", "ls", "-d", "/"}));
    }

    @Test
    void whatBootsNoFrameworkHereOrBootsItDifferentlyDoesNot() {
        assertFalse(BootAhead.wanted(new String[] {"run", "-d", "busybox"}));
        assertFalse(BootAhead.wanted(new String[] {"run", "-dit", "busybox"}));
        assertFalse(BootAhead.wanted(new String[] {"run", "--detach", "busybox"}));
        assertFalse(BootAhead.wanted(new String[] {"create", "busybox"})); // Docker's create
        assertFalse(BootAhead.wanted(new String[] {"--debug", "run", "busybox"}));
        assertFalse(BootAhead.wanted(new String[] {"--config", "/c", "run", "busybox"}));
        assertFalse(BootAhead.wanted(new String[] {"run", "--help"}));
        assertFalse(BootAhead.wanted(new String[] {"ps"}));
        assertFalse(BootAhead.wanted(new String[] {}));
    }
}
