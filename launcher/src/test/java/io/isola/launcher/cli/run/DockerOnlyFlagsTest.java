package io.isola.launcher.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.launcher.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Docker's run flags that isola lacks are refused by name, with 125, before anything runs. */
class DockerOnlyFlagsTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int isola(String... args) {
        CommandLine cli = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return cli.execute(args);
    }

    @Test
    void eachDockerOnlyFlagIsRefusedAndNothingRuns() {
        for (List<String> line : List.of(
                List.of("--gpus", "all"),
                List.of("--gpus=all"),
                List.of("--ip6", "fd00::3"),
                List.of("--sig-proxy=false"),
                List.of("--label-file", "f"),
                List.of("--cgroupns", "host"),
                List.of("--runtime", "runc"),
                List.of("--mac-address", "02:42:ac:11:00:02"),
                List.of("--link", "db:db"))) {
            err.getBuffer().setLength(0);
            List<String> args = new ArrayList<>(List.of("run"));
            args.addAll(line);
            args.addAll(List.of("--", "/bin/echo", "ran"));
            assertEquals(125, isola(args.toArray(String[]::new)), line.toString());
            String name = line.get(0).split("=")[0];
            assertEquals(
                    "isola: " + name + ": not supported by isola\nsee 'isola run --help'\n",
                    err.toString(),
                    line.toString());
            assertEquals("", out.toString());
        }
    }

    @Test
    void everyDockerRunFlagIsIsolasOrRefused() {
        CommandLine cli = Main.commandLine(new PrintWriter(out), new PrintWriter(err), new String[] {"run"});
        var run = cli.getSubcommands().get("run").getCommandSpec();
        for (String name : List.of(
                "--mount",
                "--network",
                "--net",
                "--pid",
                "--ipc",
                "--uts",
                "--entrypoint",
                "-h",
                "--hostname",
                "--userns",
                "--cap-add",
                "-p",
                "-v",
                "--tmpfs",
                "--read-only",
                "--init",
                "--env-file",
                "--ulimit",
                "--stop-signal",
                "--stop-timeout",
                "--shm-size",
                "--sysctl",
                "--cidfile",
                "--oom-score-adj",
                "--health-cmd",
                "--no-healthcheck")) {
            assertTrue(run.findOption(name) != null && !run.findOption(name).hidden(), name + " is isola's own");
        }
        for (DockerOnlyFlags.Flag flag : DockerOnlyFlags.DOCKER_RUN) {
            assertTrue(run.findOption(flag.longName()) != null, flag.longName());
        }
    }

    @Test
    void anUnknownOptionStaysPicocliError() {
        assertEquals(125, isola("run", "--memroy", "1g", "true"));
        assertTrue(err.toString().startsWith("isola: unknown option: '--memroy'"), err.toString());
    }
}
