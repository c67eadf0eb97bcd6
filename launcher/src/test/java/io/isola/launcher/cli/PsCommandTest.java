package io.isola.launcher.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What a container writes into its own argv reaches the host's terminal only as plain text. */
class PsCommandTest {

    @Test
    void argumentSeparatorsBecomeSpacesAndTerminalControlBecomesQuestionMarks() {
        assertEquals("sh -c sleep 5", PsCommand.printable("sh\0-c\0sleep 5\0"));
        assertEquals("evil ?]0;owned?? ?[2J", PsCommand.printable("evil \u001b]0;owned\u0007\n \u001b[2J"));
        assertEquals("caf\u00e9 \u2603", PsCommand.printable("caf\u00e9\0\u2603"));
    }
}
