package io.isola.launcher.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.isola.launcher.Main;
import io.isola.launcher.cli.run.RunCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class VerbSelectionTest {

    private static CommandLine parser(String... args) {
        StringWriter sink = new StringWriter();
        return Main.commandLine(new PrintWriter(sink), new PrintWriter(sink), args);
    }

    @Test
    void aCommandLineGetsOnlyTheVerbItNamesPastTheRootOptionsAndTheirValues() {
        assertEquals(
                Set.of("run"),
                parser("run", "--rm", "--", "true").getSubcommands().keySet());
        assertEquals(
                Set.of("run"),
                parser("--root", "/tmp/state", "--debug", "run", "true")
                        .getSubcommands()
                        .keySet());
        assertEquals(
                Set.of("run"),
                parser("--config=/etc/isola", "run", "true").getSubcommands().keySet());
        assertEquals(
                Set.of("run"),
                parser("--log", "run", "run", "true").getSubcommands().keySet(),
                "the value of --log is not the verb");
        assertEquals(
                Set.of("resume", "unpause"),
                parser("unpause", "c1").getSubcommands().keySet(),
                "an alias names its verb");
    }

    @Test
    void withoutAKnownVerbEveryVerbIsThereForHelpAndSuggestions() {
        int all = parser().getSubcommands().size();
        assertEquals(all, parser("--help").getSubcommands().size());
        assertEquals(all, parser("rnu", "true").getSubcommands().size());
        assertEquals(all, parser("--no-such-option", "run").getSubcommands().size());
        assertEquals(
                IsolaCommand.VERBS.size(),
                parser().getSubcommands().values().stream().distinct().count());
    }

    @Test
    void theSelectedVerbParsesAsWithEveryVerbPresent() {
        StringWriter out = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out), new PrintWriter(out), new String[] {"run", "--rm", "--bogus"})
                .execute("run", "--rm", "--bogus");
        assertEquals(125, code);
        assertEquals("isola: unknown option: '--bogus'\nsee 'isola run --help'\n", out.toString());
        CommandLine cli = parser("run", "--hostname", "h1", "--", "true");
        RunCommand run = (RunCommand) cli.parseArgs("run", "--hostname", "h1", "--", "true")
                .subcommand()
                .commandSpec()
                .userObject();
        assertNull(VerbSelection.verb(cli.getCommandSpec(), new String[] {"--debug"}));
        assertEquals("run", VerbSelection.verb(cli.getCommandSpec(), new String[] {"--debug", "run"}));
        assertEquals(RunCommand.class, run.getClass());
    }
}
