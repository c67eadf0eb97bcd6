package io.isola.launcher.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.ContainerSpec;
import io.isola.launcher.Main;
import io.isola.spi.support.HostIdentity;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParseResult;

/** Docker's --pid, --ipc and --uts take a value; isola's own switches are the --no-NAME ones. */
class DockerNamespaceFlagsTest {

    static ContainerSpec spec(String... args) {
        StringWriter sink = new StringWriter();
        ParseResult parsed =
                Main.commandLine(new PrintWriter(sink), new PrintWriter(sink)).parseArgs(args);
        RunCommand run = (RunCommand) parsed.subcommand().commandSpec().userObject();
        return run.spec();
    }

    @Test
    void hostSharesTheHostsNamespaceAndIsNeverTheCommand() {
        ContainerSpec spec = spec("run", "--pid", "host", "--ipc", "host", "--uts", "host", "true");
        assertEquals(List.of("true"), spec.command());
        assertEquals(Set.of("mount", "cgroup", "net"), spec.isolators().orElseThrow());
        assertEquals(
                spec("run", "--no-pid", "true").isolators(),
                spec("run", "--pid=host", "true").isolators());
    }

    @Test
    void privateKeepsANamespaceOfItsOwn() {
        assertTrue(spec("run", "--pid", "private", "--ipc", "shareable", "--uts", "private", "true")
                .isolators()
                .orElseThrow()
                .containsAll(Set.of("pid", "ipc", "uts")));
    }

    @Test
    void joiningAnotherContainersNamespaceIsRefused() {
        assertEquals(
                "--pid \"container:web\": not supported by isola (joining another container's PID namespace); expected host or private",
                assertThrows(IllegalArgumentException.class, () -> spec("run", "--pid", "container:web", "true"))
                        .getMessage());
        assertEquals(
                "--ipc \"none\": not supported by isola; expected host, private or shareable",
                assertThrows(IllegalArgumentException.class, () -> spec("run", "--ipc", "none", "true"))
                        .getMessage());
        assertEquals(
                "--uts \"foo\": expected host or private",
                assertThrows(IllegalArgumentException.class, () -> spec("run", "--uts", "foo", "true"))
                        .getMessage());
    }

    @Test
    void hostnameNeedsTheUtsNamespace() {
        assertEquals(
                "--hostname \"x\": needs a UTS namespace; drop --uts host",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> spec("run", "--uts", "host", "--hostname", "x", "true"))
                        .getMessage());
    }

    @Test
    void dashHIsTheHostnameAsInDocker() {
        assertEquals("h1", spec("run", "-h", "h1", "true").hostname().orElseThrow());
    }

    @Test
    void noMountStillDropsTheMountNamespace() {
        assertFalse(spec("run", "--no-mount", "true").isolators().orElseThrow().contains("mount"));
    }

    /** Docker's --userns host: no user namespace, which root's containers get without --userns; never the command. */
    @Test
    void usernsHostIsDockersAndNotTheCommand() {
        Assumptions.assumeTrue(HostIdentity.current().isRoot(), "rootless runs always map users");
        ContainerSpec spec = spec("run", "--userns", "host", "true");
        assertEquals(List.of("true"), spec.command());
        assertFalse(spec.isolators().orElseThrow().contains("user"));
        assertEquals(List.of("true"), spec("run", "--userns=host", "true").command());
        assertTrue(spec("run", "--userns", "true").isolators().orElseThrow().contains("user"), "isola's own --userns");
        assertEquals(List.of("sh"), spec("run", "--userns", "sh").command());
        assertEquals(
                "--userns \"host\" and --uidmap: expected one of them",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> spec("run", "--userns", "host", "--uidmap", "0:100000:10", "true"))
                        .getMessage());
    }
}
