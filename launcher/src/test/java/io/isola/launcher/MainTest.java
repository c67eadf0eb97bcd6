package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.launcher.cli.IsolaCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's error lines and statuses for what fails before anything starts; runs are in {@link MainIT}. */
class MainTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    /** A state root of this test's own: nothing it does may show in, or depend on, /run/isola. */
    @TempDir
    Path root;

    private int isola(String... args) {
        List<String> all = new ArrayList<>();
        if (args.length > 0) {
            all.addAll(List.of("--root", root.toString()));
        }
        all.addAll(List.of(args));
        return Main.execute(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void badInputIs125WithOneLineNamingTheValue() {
        assertEquals(125, isola("run", "--hostname", "bad name!", "--", "true"));
        assertEquals(
                "isola: hostname \"bad name!\": expected 1 to 64 letters, digits, '-' or '.', "
                        + "starting with a letter or digit\n",
                err.toString());
        assertFalse(err.toString().contains("Exception"));
    }

    /**
     * --config is the command line's own: it leaves nothing behind for other code to read, no
     * system property and no default of the JVM's (the resident server runs commands at once).
     */
    @Test
    void configIsTheCommandLinesAlone(@TempDir Path conf) {
        isola("ps", "-a", "-q"); // what the JDK sets on first use (user.timezone) is not the command's
        Properties before = (Properties) System.getProperties().clone();
        isola("--config", conf.toString(), "ps", "-a", "-q");
        assertEquals(before, System.getProperties());
        assertNotEquals(conf, Layout.conf(null));
    }

    @Test
    void usageErrorsAre125AndPointToHelp() {
        assertEquals(125, isola("run", "--frobnicate", "--", "true"));
        assertEquals("isola: unknown option: '--frobnicate'\nsee 'isola run --help'\n", err.toString());
    }

    /**
     * As docker's management commands (docker/cli cli/command/volume/cmd.go: {@code RunE:
     * command.ShowHelp(dockerCli.Err())}, which returns nil) and docker alone: the usage on stderr,
     * status 0; an unknown subcommand is cli.NoArgs' plain error, 1.
     */
    @Test
    void aGroupAloneShowsItsHelpOnStderrAndExits0() {
        for (String group : List.of("volume", "image", "network", "container", "system")) {
            err.getBuffer().setLength(0);
            out.getBuffer().setLength(0);
            assertEquals(0, isola(group), group + ": " + err);
            assertTrue(err.toString().startsWith("Usage: isola " + group), group + ": " + err);
            assertEquals("", out.toString(), group);
        }
        err.getBuffer().setLength(0);
        assertEquals(0, Main.execute(new String[0], new PrintWriter(out, true), new PrintWriter(err, true)));
        assertTrue(err.toString().startsWith("Usage: isola"), err::toString);
        assertEquals(1, isola("volume", "frobnicate"), err::toString);
    }

    /**
     * docker/cli cli/cobra.go FlagErrorFunc: any verb's bad option is a StatusError of 125, the
     * verbs isola shares with runc (start, kill, exec, ps, pause) too; runc's own verbs (state,
     * delete, resume, the OCI create) exit runc's 1.
     */
    @Test
    void aBadOptionIs125ForEveryDockerVerbAnd1ForRuncsOwn() {
        for (String verb : List.of("start", "kill", "exec", "ps", "pause", "rm", "network", "volume")) {
            assertEquals(125, isola(verb, "--frobnicate", "x"), verb + ": " + err);
        }
        for (String verb : List.of("state", "delete", "resume")) {
            assertEquals(1, isola(verb, "--frobnicate", "x"), verb + ": " + err);
        }
        // the shared verbs as an engine calls them, with runc's --log: runc's 1
        String log = root.resolve("log.json").toString();
        assertEquals(1, isola("--log", log, "kill", "--frobnicate", "x"), err::toString);
        assertEquals(1, isola("--log", log, "start", "--frobnicate", "x"), err::toString);
        assertEquals(1, isola("create", "--bundle", root.toString(), "--frobnicate", "x"), err::toString);
        assertEquals(125, isola("create", "--frobnicate", "busybox"), "Docker's create: " + err);
    }

    /**
     * Docker's statuses: a verb other than run and create that fails exits 1 (Docker's CLI exits 1
     * for any error but run's and create's, which it gives 125); a bad option is still 125 (its
     * flag errors), a missing or extra argument and an unknown verb 1.
     */
    @Test
    void dockerVerbsFailWith1AndOnlyRunAndCreateWith125() {
        for (String[] args : List.of(
                new String[] {"rm", "nosuch"},
                new String[] {"stop", "nosuch"},
                new String[] {"wait", "nosuch"},
                new String[] {"inspect", "nosuch"},
                new String[] {"logs", "nosuch"},
                new String[] {"restart", "nosuch"},
                new String[] {"start", "nosuch"},
                new String[] {"kill", "nosuch"},
                new String[] {"exec", "nosuch", "true"},
                new String[] {"volume", "inspect", "nosuch"},
                new String[] {"rm"},
                new String[] {"launch", "true"})) {
            err.getBuffer().setLength(0);
            assertEquals(1, isola(args), List.of(args) + ": " + err);
            assertTrue(err.toString().startsWith("isola: "), err::toString);
        }
        assertEquals(125, isola("rm", "--frobnicate", "nosuch"), "a bad option is Docker's flag error, 125");
        assertEquals(125, isola("run", "--pull", "never", "nosuch:1"), "run keeps 125");
        assertEquals(125, isola("create", "--pull", "never", "nosuch:1"), "Docker's create keeps 125");
    }

    /** As Docker's: "isola rm c1 -f", "isola stats c1 --format json"; only run and exec stop at their command. */
    @Test
    void optionsMayFollowAVerbsIdsButNotACommand() {
        for (String[] args : List.of(
                new String[] {"rm", "c1", "-f"},
                new String[] {"stats", "c1", "--format", "json"},
                new String[] {"logs", "c1", "-n", "1"},
                new String[] {"kill", "c1", "-s", "KILL"})) {
            picocli.CommandLine.ParseResult parsed = Main.commandLine(new PrintWriter(out), new PrintWriter(err), args)
                    .parseArgs(args);
            assertTrue(
                    parsed.subcommand().hasMatchedOption(args[2]), List.of(args) + " took " + args[2] + " for an id");
            assertEquals(
                    List.of("c1"),
                    parsed.subcommand().matchedPositionals().stream()
                            .flatMap(p -> p.stringValues().stream())
                            .toList(),
                    List.of(args).toString());
        }
        String[] run = {"run", "bb", "ls", "-f"};
        picocli.CommandLine.ParseResult parsed = Main.commandLine(new PrintWriter(out), new PrintWriter(err), run)
                .parseArgs(run);
        assertFalse(parsed.subcommand().hasMatchedOption("-f"), "-f is the container's command's");
    }

    /** picocli formats descriptions (a lone % is a format error): the verbs this issue changed show their help. */
    @Test
    void changedVerbsShowTheirHelp() {
        assertEquals(0, isola("stats", "--help"), err::toString);
        assertTrue(out.toString().contains("CPU %, memory use"), out::toString);
        assertEquals(0, isola("kill", "--help"), err::toString);
        assertTrue(
                out.toString().contains("Without a signal: KILL, as docker kill; TERM, as runc kill"), out::toString);
    }

    @Test
    void versionAndHelpGoToStdout() {
        assertEquals(0, isola("--version"));
        assertEquals("isola " + BuildInfo.version() + "\n", out.toString());
        assertFalse(BuildInfo.version().contains("${"), "launcher.properties was not filtered");
        assertEquals(0, isola("run", "--help"));
        assertTrue(out.toString().contains("--pid=MODE"));
        assertEquals("", err.toString());
    }

    /** A usage error says "see 'isola VERB --help'": every verb, and image's own, answers it. */
    @Test
    void everyVerbHasHelp() {
        List<String> verbs = new ArrayList<>();
        for (Class<?> verb : IsolaCommand.VERBS) {
            verbs.add(verb.getAnnotation(picocli.CommandLine.Command.class).name());
        }
        verbs.remove("__server"); // internal, never typed
        List<List<String>> lines = new ArrayList<>();
        verbs.forEach(verb -> lines.add(List.of(verb, "--help")));
        lines.add(List.of("image", "import", "--help"));
        lines.add(List.of("ps", "-h"));
        for (List<String> line : lines) {
            out.getBuffer().setLength(0);
            assertEquals(0, isola(line.toArray(String[]::new)), () -> line + ": " + err);
            String name = String.join(" ", line.subList(0, line.size() - 1));
            assertTrue(out.toString().startsWith("Usage: isola " + name), line + ": " + out);
        }
        assertEquals("", err.toString());
    }

    @Test
    void psAndStatsTakeDockersHabits() {
        assertEquals(0, isola("ps", "-a"), err::toString);
        assertTrue(out.toString().startsWith("CONTAINER ID"), out.toString());
        out.getBuffer().setLength(0);
        assertEquals(0, isola("stats", "--no-stream"), err::toString);
        assertTrue(out.toString().startsWith("CONTAINER ID"), out.toString());
    }
}
