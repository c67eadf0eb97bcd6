package io.isola.launcher.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** A parser made ahead serves the next command line of its verb once, writing to that command's streams. */
class PreparedParsersTest {

    private final PreparedParsers parsers = new PreparedParsers();

    private static PrintWriter to(StringWriter w) {
        return new PrintWriter(w, true);
    }

    @Test
    void theNextCommandLineOfAVerbGetsTheParserMadeAheadWithItsOwnStreams() {
        StringWriter firstOut = new StringWriter();
        String[] first = {"run", "--name", "a", "--", "true"};
        CommandLine used = parsers.take(first, to(firstOut), to(new StringWriter()));
        parsers.prepare(first);

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine next = parsers.take(new String[] {"run", "--help"}, to(out), to(err));
        assertNotSame(used, next, "a parser serves one command line");
        assertEquals(0, next.execute("run", "--help"));
        assertTrue(out.toString().startsWith("Usage: isola run"), out.toString());
        assertEquals("", err.toString());
        assertEquals("", firstOut.toString(), "nothing reaches the streams it was made with, nor an earlier command's");
    }

    @Test
    void aUsageErrorGoesToTheTakersErrorStream() {
        parsers.prepare(new String[] {"run", "true"});
        StringWriter err = new StringWriter();
        CommandLine cli = parsers.take(new String[] {"run", "--gpus", "all", "true"}, to(new StringWriter()), to(err));
        assertEquals(125, cli.execute("run", "--gpus", "all", "true"));
        assertEquals("isola: --gpus: not supported by isola\nsee 'isola run --help'\n", err.toString());
    }

    @Test
    void eachPreparedParserIsTakenOnceAndOnlyForItsVerb() {
        parsers.prepare(
                new String[] {"--root", "/tmp/x", "ps", "-a"}); // the root's options and their values are skipped
        CommandLine run = parsers.take(new String[] {"run", "true"}, to(new StringWriter()), to(new StringWriter()));
        assertNotNull(run.getSubcommands().get("run"));
        assertNull(run.getSubcommands().get("ps"), "a fresh parser, with only the verb it names");

        CommandLine ps = parsers.take(new String[] {"ps"}, to(new StringWriter()), to(new StringWriter()));
        assertNotNull(ps.getSubcommands().get("ps"));
        CommandLine again = parsers.take(new String[] {"ps"}, to(new StringWriter()), to(new StringWriter()));
        assertNotSame(ps, again);

        // a command line naming no verb of ours gets a fresh parser that knows them all (picocli's suggestions)
        CommandLine none = parsers.take(new String[] {"nosuchverb"}, to(new StringWriter()), to(new StringWriter()));
        assertSame(none.getSubcommands().get("ps").getCommandSpec().parent(), none.getCommandSpec());
        assertNotNull(none.getSubcommands().get("run"));
    }
}
