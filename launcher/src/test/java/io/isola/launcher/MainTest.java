package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The CLI's error lines and statuses for what fails before anything starts; runs are in {@link MainIT}. */
class MainTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int isola(String... args) {
        return Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void badInputIs125WithOneLineNamingTheValue() {
        assertEquals(125, isola("run", "--hostname", "bad name!", "--", "true"));
        assertEquals("isola: hostname \"bad name!\": expected 1 to 64 letters, digits, '-' or '.', "
                + "starting with a letter or digit\n", err.toString());
        assertFalse(err.toString().contains("Exception"));
    }

    @Test
    void usageErrorsAre125AndPointToHelp() {
        assertEquals(125, isola("run", "--frobnicate", "--", "true"));
        assertEquals("isola: unknown option: '--frobnicate'\nsee 'isola run --help'\n", err.toString());
        assertEquals(125, isola());
        assertTrue(err.toString().contains("isola: missing command: expected one of: run"));
    }

    @Test
    void versionAndHelpGoToStdout() {
        assertEquals(0, isola("--version"));
        assertEquals("isola " + BuildInfo.version() + "\n", out.toString());
        assertFalse(BuildInfo.version().contains("${"), "launcher.properties was not filtered");
        assertEquals(0, isola("run", "--help"));
        assertTrue(out.toString().contains("--[no-]pid"));
        assertEquals("", err.toString());
    }
}
