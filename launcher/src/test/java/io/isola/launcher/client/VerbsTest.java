package io.isola.launcher.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.launcher.cli.IsolaCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;

class VerbsTest {

    @Test
    void theVerbIsTheFirstWordAfterTheGlobalOptions() {
        assertEquals("state", Verbs.verb(new String[] {
            "--root", "/run/x", "--log", "l.json", "--log-format", "json", "--systemd-cgroup", "state", "id"
        }));
        assertNull(Verbs.verb(new String[] {"--version"}));
        assertNull(Verbs.verb(new String[] {"-h", "run"}));
    }

    @Test
    void anEnginesVerbsAfterCreateAreServedButCreateIsNot() {
        for (String verb : new String[] {"start", "state", "delete", "kill"}) {
            assertTrue(Verbs.served(new String[] {"--root", "/run/x", verb, "id"}), verb);
        }
        assertFalse(Verbs.served(new String[] {"--root", "/run/x", "create", "--bundle", ".", "id"}));
        assertFalse(Verbs.served(new String[] {"--config", "/etc/isola", "state", "id"}), "a configuration of its own");
        assertEquals("run", Verbs.verb(new String[] {"--config", "/etc/isola", "run", "true"}), "not the directory");
        assertEquals(Set.of("start", "state", "delete", "kill"), Verbs.ENGINE);
    }

    /**
     * The network verbs are served: in-process each booted a framework of its own for the
     * network plugin (2-3 s a verb), where the server lends its warm one.
     */
    @Test
    void theNetworkVerbsAreServed() {
        for (String sub : new String[] {"create", "ls", "inspect", "rm", "prune", "connect", "disconnect"}) {
            assertTrue(Verbs.served(new String[] {"network", sub, "x"}), sub);
        }
        assertFalse(
                Verbs.served(new String[] {"--config", "/etc/isola", "network", "ls"}), "a configuration of its own");
    }

    /** isola exec is served; conmon's and the shim's exec (their child, which they reap) and a detached one are not. */
    @Test
    void theClisExecIsServedButNotAnEnginesNorADetachedOne() {
        assertTrue(Verbs.served(new String[] {"exec", "id", "true"}));
        assertTrue(
                Verbs.served(new String[] {"--root", "/run/x", "exec", "-it", "-e", "A=1", "-w", "/tmp", "id", "sh"}));
        // what follows the id is the command's own
        assertTrue(Verbs.served(new String[] {"exec", "id", "ls", "-d", "-p", "--pid-file", "x"}));
        // the value of -e is not an option
        assertTrue(Verbs.served(new String[] {"exec", "-e", "--detach", "id", "true"}));
        for (String[] engine : new String[][] {
            {"exec", "--process", "/b/p.json", "--pid-file", "/b/pid", "--detach", "id"},
            {"exec", "-p", "p.json", "id"},
            {"exec", "--pid-file=/b/pid", "id", "true"},
            {"exec", "--console-socket", "/b/s", "-t", "id", "sh"},
            {"exec", "-d", "id", "sleep", "9"},
            {"exec", "-itd", "id", "sh"},
            {"--root", "/run/x", "exec", "--detach", "id", "true"}
        }) {
            assertFalse(Verbs.served(engine), String.join(" ", engine));
        }
        assertTrue(Verbs.NO_WAIT.containsAll(Verbs.ENGINE) && Verbs.NO_WAIT.contains("exec"));
    }

    /**
     * bin/isola makes the same choice in shell before any JVM starts (its first {@code case $verb}
     * lists the served verbs, a later one the engine's): a verb on one list only would be served
     * from bash and refused by the server, or never served at all.
     */
    @Test
    void binIsolaServesTheVerbsTheServerServes() throws Exception {
        String script = Files.readString(Path.of("../dist/src/main/dist/bin/isola"));

        assertEquals(Verbs.SERVED, alternatives(script, "case \\$verb in\n([a-z |]+)\\)\n"));
        assertEquals(Verbs.NO_WAIT, alternatives(script, "case \\$verb in ([a-z |]+)\\) client_jar= ;; esac"));
    }

    /**
     * bin/isola also decides which execs are served: its option lists must be {@link Verbs}' (the
     * long options by name, the short ones as the letters of its {@code -*[dp]*} cluster), or an
     * engine's exec would be served from bash and reaped by the wrong parent.
     */
    @Test
    void binIsolaTellsAnEnginesExecAsVerbsDoes() throws Exception {
        String script = Files.readString(Path.of("../dist/src/main/dist/bin/isola"));

        // --process is an engine's exec (bin/isola's engine_exec: the thin exec's), the others run in-process
        Set<String> inProcess =
                new TreeSet<>(alternatives(script, "\\n *([-a-z |=*]+)\\) verb='' engine_exec=1; break ;;"));
        Matcher others = Pattern.compile("\\n *(--[-a-z |=*]+)\\) verb=(?:'' skip=1)? ;;")
                .matcher(script);
        while (others.find()) {
            Arrays.stream(others.group(1).split("\\|")).map(String::strip).forEach(inProcess::add);
        }
        inProcess.removeIf(option -> option.endsWith("=*"));
        assertEquals(filter(Verbs.EXEC_IN_PROCESS, true), inProcess);
        Matcher cluster = Pattern.compile("-\\*\\[([a-z]+)\\]\\*\\) verb= ;;").matcher(script);
        assertTrue(cluster.find(), "bin/isola has no cluster pattern like -*[dp]*) for exec");
        assertEquals(
                filter(Verbs.EXEC_IN_PROCESS, false),
                cluster.group(1).chars().mapToObj(c -> "-" + (char) c).collect(Collectors.toSet()));
        assertEquals(
                Verbs.EXEC_WITH_VALUE,
                alternatives(script, "\\n *([-a-z |]+)\\) skip=1 ;;\\n *--\\*\\) ;;\\n *-\\*\\["));
    }

    private static Set<String> filter(Set<String> options, boolean longOnes) {
        return options.stream().filter(o -> o.startsWith("--") == longOnes).collect(Collectors.toSet());
    }

    @Test
    void everyServedVerbIsAVerbOfTheCommandLine() {
        Set<String> names = verbNames();
        assertTrue(
                names.containsAll(Verbs.SERVED),
                () -> "served but no verb: "
                        + Verbs.SERVED.stream()
                                .filter(verb -> !names.contains(verb))
                                .toList());
    }

    /**
     * The CLI page's table of Docker's verbs (docs/cli.md) says which isola has ("yes"): each verb it
     * names must be a verb of the command line, or the table promises what the CLI refuses.
     */
    @Test
    void theCliPagesVerbTableNamesOnlyVerbsOfTheCommandLine() throws Exception {
        Set<String> names = verbNames();
        Matcher row =
                Pattern.compile("(?m)^\\| (`[^|]+) \\| yes \\|").matcher(Files.readString(Path.of("../docs/cli.md")));
        Set<String> claimed = new HashSet<>();
        while (row.find()) {
            // `network create`, `ls`: after a verb with a subcommand, single words are its subcommands
            Matcher item = Pattern.compile("`([a-z]+)( [a-z]+)?`").matcher(row.group(1));
            boolean subcommands = false;
            while (item.find()) {
                if (item.group(2) != null || !subcommands) {
                    claimed.add(item.group(1));
                }
                subcommands |= item.group(2) != null;
            }
        }
        assertFalse(claimed.isEmpty(), "docs/cli.md has no row like | `run` | yes |");
        assertEquals(
                Set.of(),
                claimed.stream().filter(verb -> !names.contains(verb)).collect(Collectors.toSet()),
                "in docs/cli.md's verb table but no verb of IsolaCommand.VERBS");
    }

    private static Set<String> verbNames() {
        Set<String> names = new HashSet<>();
        for (Class<?> verb : IsolaCommand.VERBS) {
            Command command = verb.getAnnotation(Command.class);
            names.add(command.name());
            names.addAll(Arrays.asList(command.aliases()));
        }
        return names;
    }

    private static Set<String> alternatives(String script, String pattern) {
        Matcher matcher = Pattern.compile(pattern).matcher(script);
        assertTrue(matcher.find(), "bin/isola has no line like " + pattern);
        return Arrays.stream(matcher.group(1).split("\\|")).map(String::strip).collect(Collectors.toSet());
    }
}
