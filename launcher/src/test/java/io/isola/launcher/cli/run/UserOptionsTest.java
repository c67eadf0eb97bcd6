package io.isola.launcher.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.ContainerSpec;
import io.isola.api.IdMapping;
import io.isola.api.IsolaException;
import io.isola.api.ProcessUser;
import io.isola.api.UserNamespace;
import io.isola.launcher.Main;
import io.isola.launcher.RuntimeDir;
import io.isola.spi.support.HostIdentity;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.ParseResult;

/** {@code --userns}, {@code --uidmap}, {@code --gidmap}, {@code --user}, {@code --group-add} become spec extensions. */
class UserOptionsTest {

    private static ContainerSpec spec(String... args) {
        StringWriter sink = new StringWriter();
        ParseResult parsed =
                Main.commandLine(new PrintWriter(sink), new PrintWriter(sink)).parseArgs(args);
        return ((RunCommand) parsed.subcommand().commandSpec().userObject()).spec();
    }

    @Test
    void withoutOptionsRootGetsNoUserNamespace() {
        ContainerSpec spec = spec("run", "true");
        assertTrue(spec.extension(UserNamespace.class).isEmpty());
        assertTrue(spec.extension(ProcessUser.class).isEmpty());
        assertEquals(
                HostIdentity.current().isRoot(), !spec.isolators().orElseThrow().contains("user"));
    }

    @Test
    void usernsSelectsTheUserIsolatorWithTheDefaultMapping() {
        ContainerSpec spec = spec("run", "--userns", "--", "id");
        assertTrue(spec.extension(UserNamespace.class).orElseThrow().isDefaultMapping());
        assertTrue(spec.isolators().orElseThrow().contains("user"));
    }

    @Test
    void mapsAreRepeatableAndGidsDefaultToTheUids() {
        UserNamespace ns = spec("run", "--uidmap", "0:100000:1000", "--uidmap", "1000:200000:1", "id")
                .extension(UserNamespace.class)
                .orElseThrow();
        assertEquals(List.of(new IdMapping(0, 100000, 1000), new IdMapping(1000, 200000, 1)), ns.uidMappings());
        assertEquals(ns.uidMappings(), ns.gidMappings());
        UserNamespace both = spec("run", "--uidmap", "0:1:1", "--gidmap", "0:2:1", "id")
                .extension(UserNamespace.class)
                .orElseThrow();
        assertEquals(List.of(new IdMapping(0, 2, 1)), both.gidMappings());
    }

    @Test
    void userAndGroupsBecomeTheProcessUser() {
        assertEquals(
                ProcessUser.of(1000, 1000, 27, 100),
                spec("run", "--user", "1000:1000", "--group-add", "27", "--group-add", "100", "id")
                        .extension(ProcessUser.class)
                        .orElseThrow());
        assertEquals(
                ProcessUser.of(4242, 0),
                spec("run", "-u", "4242", "id").extension(ProcessUser.class).orElseThrow());
        assertFalse(spec("run", "-u", "5", "id").isolators().orElseThrow().contains("user")
                && HostIdentity.current().isRoot());
    }

    @Test
    void badValuesAreRefusedNamingThem() {
        assertEquals(
                "uid map \"0:100000:0\": the length must be at least 1",
                assertThrows(IllegalArgumentException.class, () -> spec("run", "--uidmap", "0:100000:0", "id"))
                        .getMessage());
        assertEquals(
                "uid map \"5:1:10\": its container ids overlap those of \"0:100:10\"; ranges may not overlap",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> spec("run", "--uidmap", "0:100:10", "--uidmap", "5:1:10", "id"))
                        .getMessage());
        // without a root of its own, names come from the host's files
        assertEquals(
                "--user \"nosuchuser-isola\": no user \"nosuchuser-isola\" in the container's /etc/passwd",
                assertThrows(IllegalArgumentException.class, () -> spec("run", "--user", "nosuchuser-isola", "id"))
                        .getMessage());
        assertEquals(
                "--user \"1:2:x\": expected USER or USER:GROUP, names or numbers",
                assertThrows(IllegalArgumentException.class, () -> spec("run", "--user", "1:2:x", "id"))
                        .getMessage());
        assertEquals(
                "--group-add 27: needs --user",
                assertThrows(IllegalArgumentException.class, () -> spec("run", "--group-add", "27", "id"))
                        .getMessage());
    }

    @Test
    void aRuntimeDirectoryOfSomebodyElseIsRefused(@TempDir Path tmp) throws Exception {
        Path mine = RuntimeDir.ownDirectory(
                tmp.resolve("isola-0"), HostIdentity.current().uid());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(mine)));
        IsolaException e = assertThrows(IsolaException.class, () -> RuntimeDir.ownDirectory(mine, 4242));
        assertEquals(
                "runtime directory " + mine + " belongs to uid "
                        + HostIdentity.current().uid()
                        + ", not to you (uid 4242); remove it or give a directory of your own",
                e.getMessage());
        Path link = Files.createSymbolicLink(tmp.resolve("link"), mine);
        assertTrue(assertThrows(
                        IsolaException.class,
                        () -> RuntimeDir.ownDirectory(
                                link, HostIdentity.current().uid()))
                .getMessage()
                .contains(" is a symbolic link; isola does not follow links for its own state"));
    }
}
