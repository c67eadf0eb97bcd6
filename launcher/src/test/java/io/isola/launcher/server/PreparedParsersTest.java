package io.isola.launcher.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A parser made ahead serves the next command line of its verb once, writing to that command's
 * streams; the engines' verbs keep theirs, and a kept parser parses each command line as a new one would.
 */
class PreparedParsersTest {

    private static final PrintWriter NOWHERE = new PrintWriter(Writer.nullWriter());

    private final PreparedParsers parsers = new PreparedParsers();

    private static PrintWriter to(StringWriter w) {
        return new PrintWriter(w, true);
    }

    @Test
    void theNextCommandLineOfAVerbGetsTheParserMadeAheadWithItsOwnStreams() {
        StringWriter firstOut = new StringWriter();
        String[] first = {"run", "--name", "a", "--", "true"};
        PreparedParsers.Parser used = parsers.take(first, to(firstOut), to(new StringWriter()));
        parsers.done(used, first);

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine next =
                parsers.take(new String[] {"run", "--help"}, to(out), to(err)).cli();
        assertNotSame(used.cli(), next, "run's parser serves one command line");
        assertEquals(0, next.execute("run", "--help"));
        assertTrue(out.toString().startsWith("Usage: isola run"), out.toString());
        assertEquals("", err.toString());
        assertEquals("", firstOut.toString(), "nothing reaches the streams it was made with, nor an earlier command's");
    }

    @Test
    void aUsageErrorGoesToTheTakersErrorStream() {
        String[] before = {"run", "true"};
        parsers.done(parsers.take(before, NOWHERE, NOWHERE), before);
        StringWriter err = new StringWriter();
        CommandLine cli = parsers.take(new String[] {"run", "--gpus", "all", "true"}, to(new StringWriter()), to(err))
                .cli();
        assertEquals(125, cli.execute("run", "--gpus", "all", "true"));
        assertEquals("isola: --gpus: not supported by isola\nsee 'isola run --help'\n", err.toString());
    }

    @Test
    void eachPreparedParserIsTakenOnceAndOnlyForItsVerb() {
        String[] before = {"--root", "/tmp/x", "ps", "-a"}; // the root's options and their values are skipped
        parsers.done(parsers.take(before, NOWHERE, NOWHERE), before);
        CommandLine run =
                parsers.take(new String[] {"run", "true"}, NOWHERE, NOWHERE).cli();
        assertNotNull(run.getSubcommands().get("run"));
        assertNull(run.getSubcommands().get("ps"), "a fresh parser, with only the verb it names");

        CommandLine ps = parsers.take(new String[] {"ps"}, NOWHERE, NOWHERE).cli();
        assertNotNull(ps.getSubcommands().get("ps"));
        CommandLine again = parsers.take(new String[] {"ps"}, NOWHERE, NOWHERE).cli();
        assertNotSame(ps, again);

        // a command line naming no verb of ours gets a fresh parser that knows them all (picocli's suggestions)
        CommandLine none =
                parsers.take(new String[] {"nosuchverb"}, NOWHERE, NOWHERE).cli();
        assertSame(none.getSubcommands().get("ps").getCommandSpec().parent(), none.getCommandSpec());
        assertNotNull(none.getSubcommands().get("run"));
    }

    private PreparedParsers.Parser parsed(String... args) {
        PreparedParsers.Parser parser = parsers.take(args, NOWHERE, NOWHERE);
        parser.cli().parseArgs(args);
        return parser;
    }

    private static Object option(PreparedParsers.Parser parser, String verb, String name) {
        return parser.cli()
                .getSubcommands()
                .get(verb)
                .getCommandSpec()
                .findOption(name)
                .getValue();
    }

    @Test
    void aKeptParserTakesNothingFromTheCommandLineBefore() {
        String[] first = {"--root", "/run/one", "--systemd-cgroup", "delete", "--force", "a"};
        PreparedParsers.Parser parser = parsed(first);
        assertEquals(Path.of("/run/one"), option(parser, "delete", "--root"));
        parsers.done(parser, first);

        String[] second = {"delete", "b"};
        PreparedParsers.Parser again = parsed(second);
        assertSame(parser, again, "delete's parser serves again");
        assertEquals(false, option(again, "delete", "--force"));
        assertNull(option(again, "delete", "--root"), "the root of the command line before");
        assertEquals(false, option(again, "delete", "--systemd-cgroup"));
        assertEquals(
                "b",
                again.cli()
                        .getSubcommands()
                        .get("delete")
                        .getCommandSpec()
                        .positionalParameters()
                        .get(0)
                        .getValue());
    }

    @Test
    void commandsAtOnceGetParsersOfTheirOwn() {
        PreparedParsers.Parser one = parsed("kill", "a", "KILL");
        PreparedParsers.Parser two = parsed("kill", "b", "TERM");
        assertNotSame(one, two, "a parser in use is not handed out again");
        parsers.done(one, new String[] {"kill", "a", "KILL"});
        parsers.done(two, new String[] {"kill", "b", "TERM"});
        PreparedParsers.Parser three = parsed("kill", "c");
        assertTrue(three == one || three == two, "a kept one");
        assertEquals(
                List.of("c"),
                three.cli()
                        .getSubcommands()
                        .get("kill")
                        .getCommandSpec()
                        .positionalParameters()
                        .get(0)
                        .getValue());
    }

    @Test
    void aCommandLineWithASettersOptionOrAnotherVerbIsNotKept() {
        String[] debug = {"--debug", "state", "a"};
        PreparedParsers.Parser parser = parsed(debug);
        parsers.done(parser, debug);
        assertNotSame(parser, parsed("state", "a"), "--debug's setter is never reset by picocli");
        String[] atFile = {"state", "@args", "a"};
        PreparedParsers.Parser expanded = parsers.take(atFile, NOWHERE, NOWHERE);
        parsers.done(expanded, atFile);
        assertNotSame(expanded, parsed("state", "a"), "an @file may hold --debug or --config");

        String[] ps = {"ps", "-a"};
        PreparedParsers.Parser listing = parsed(ps);
        parsers.done(listing, ps);
        PreparedParsers.Parser next = parsed("ps");
        assertNotSame(listing, next, "ps's parser serves one command line");
        assertFalse((Boolean) option(next, "ps", "-a"));
    }
}
