package io.isola.launcher.cli.run;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.ProcessUser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --user names from the container's own /etc/passwd and /etc/group, read safely from the host. */
class ContainerUsersTest {

    private static final String PASSWD = "root:x:0:0:root:/root:/bin/sh\n"
            + "# a comment\n"
            + "broken line\n"
            + "bad:x:notanumber:1:::\n"
            + "www:x:33:33:www:/var/www:/bin/sh\n"
            + "app:x:1000:1000::/home/app:/bin/sh\n";
    private static final String GROUP =
            "root:x:0:\nwww:x:33:\nstaff:x:50:app,www\naudio:x:29: app \nodd:x\napp:x:1000:\n";

    @TempDir
    Path root;

    private ProcessUser resolve(String user, Long... extra) throws Exception {
        return new ContainerUsers(new RootFileReader(List.of(root))).resolve(user, List.of(extra));
    }

    private void etc(String passwd, String group) throws Exception {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), passwd);
        Files.writeString(root.resolve("etc/group"), group);
    }

    @Test
    void aNameGivesItsIdsAndTheGroupsThatListIt() throws Exception {
        etc(PASSWD, GROUP);
        assertEquals(new ProcessUser(1000, 1000, List.of(1000L, 50L, 29L)), resolve("app"));
        assertEquals(new ProcessUser(33, 50, List.of(50L, 7L)), resolve("www:staff", 7L));
        assertEquals(new ProcessUser(1000, 29, List.of(29L, 50L)), resolve("app:29"));
        assertEquals(
                new ProcessUser(33, 1000, List.of(1000L, 50L)),
                resolve("33:app"),
                "a uid /etc/passwd names is that user");
        assertEquals(new ProcessUser(4242, 50, List.of()), resolve("4242:staff"));
        assertTrue(ContainerUsers.hasNames("app") && ContainerUsers.hasNames("1:staff"));
        assertFalse(ContainerUsers.hasNames("1000:1000"));
    }

    @Test
    void unknownNamesAreOneLine() throws Exception {
        etc(PASSWD, GROUP);
        assertEquals(
                "--user \"bob\": no user \"bob\" in the container's /etc/passwd",
                assertThrows(IllegalArgumentException.class, () -> resolve("bob"))
                        .getMessage());
        assertEquals(
                "--user \"app:wheel\": no group \"wheel\" in the container's /etc/group",
                assertThrows(IllegalArgumentException.class, () -> resolve("app:wheel"))
                        .getMessage());
        assertEquals(
                "--user \"bad\": no user \"bad\" in the container's /etc/passwd",
                assertThrows(IllegalArgumentException.class, () -> resolve("bad"))
                        .getMessage(),
                "a malformed line is skipped");
        Files.delete(root.resolve("etc/passwd"));
        assertThrows(IllegalArgumentException.class, () -> resolve("app"));
    }

    @Test
    void linksResolveInsideTheRootNeverOnTheHost() throws Exception {
        Files.createDirectories(root.resolve("etc"));
        Files.createDirectories(root.resolve("data"));
        Files.writeString(root.resolve("data/passwd"), "inside:x:7:7:::\n");
        // absolute and climbing links: the host's /etc/passwd has root, the container's only "inside"
        Files.createSymbolicLink(root.resolve("etc/passwd"), Path.of("/../../../../../data/passwd"));
        Files.createSymbolicLink(root.resolve("etc/group"), Path.of("../../../../../group")); // no such file inside
        assertEquals(new ProcessUser(7, 7, List.of(7L)), resolve("inside"));
        assertThrows(IllegalArgumentException.class, () -> resolve("root"), "the host's /etc/passwd was read");
        // a directory link on the way
        Files.delete(root.resolve("etc/passwd"));
        Files.createSymbolicLink(root.resolve("conf"), Path.of("/data"));
        Files.createSymbolicLink(root.resolve("etc/passwd"), Path.of("../conf/passwd"));
        assertEquals(7, resolve("inside").uid());
    }

    @Test
    void loopsAndLargeFilesAreRefused() throws Exception {
        Files.createDirectories(root.resolve("etc"));
        Files.createSymbolicLink(root.resolve("etc/passwd"), Path.of("passwd"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> resolve("x"))
                .getMessage()
                .endsWith("too many levels of symbolic links"));
        Files.delete(root.resolve("etc/passwd"));
        Files.write(root.resolve("etc/passwd"), new byte[RootFileReader.MAX_BYTES + 1]);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> resolve("x"))
                .getMessage()
                .contains("larger than " + RootFileReader.MAX_BYTES + " bytes"));
    }

    /** What a running container may put in place of its /etc/passwd after the lookup: refused, never waited on. */
    @Test
    void aFifoOrALinkSwappedInIsRefusedAtTheOpenWithoutBlocking() throws Exception {
        Path fifo = root.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        IOException notRegular = assertTimeoutPreemptively(
                Duration.ofSeconds(5),
                () -> assertThrows(
                        IOException.class,
                        () -> RootFileReader.openRegular(root, List.of("fifo")).close()));
        assertEquals(fifo + " is not a regular file", notRegular.getMessage());
        Files.writeString(root.resolve("plain"), "x");
        Path link = Files.createSymbolicLink(root.resolve("link"), Path.of("plain"));
        assertThrows(
                IOException.class,
                () -> RootFileReader.openRegular(root, List.of("link")).close());
        try (var in = RootFileReader.openRegular(root, List.of("plain"))) {
            assertEquals("x", new String(in.readAllBytes(), UTF_8));
        }
    }

    @Test
    void aDirectorySwappedForALinkToTheHostAfterTheLookupIsNotReadThrough() throws Exception {
        Path host = Files.createDirectories(root.resolve("host"));
        Files.writeString(host.resolve("passwd"), "host:x:0:0:::\n");
        Path tree = Files.createDirectories(root.resolve("tree"));
        Files.createSymbolicLink(tree.resolve("etc"), host);
        IOException refused = assertThrows(
                IOException.class,
                () -> RootFileReader.openRegular(tree, List.of("etc", "passwd")).close());
        assertTrue(refused.getMessage().startsWith("/etc/passwd of the container: "), refused.getMessage());
    }

    @Test
    void layersStackAsOverlayfsStacksThem() throws Exception {
        Path lower = Files.createDirectories(root.resolve("lower/etc"));
        Path upper = Files.createDirectories(root.resolve("upper/etc"));
        Files.writeString(lower.resolve("passwd"), "low:x:1:1:::\n");
        Files.writeString(lower.resolve("group"), "low:x:1:\n");
        Files.writeString(upper.resolve("passwd"), "up:x:2:2:::\n");
        Files.createFile(upper.resolve("group"));
        xattr(upper.resolve("group"), "overlay.whiteout");
        RootFileReader files = new RootFileReader(List.of(root.resolve("upper"), root.resolve("lower")));
        assertEquals(Optional.of("up:x:2:2:::\n"), files.read("/etc/passwd"));
        assertEquals(Optional.empty(), files.read("/etc/group"), "a whiteout hides the lower file");
        assertEquals(Optional.empty(), files.read("/etc"), "not a regular file");
    }

    private static void xattr(Path path, String name) throws Exception {
        Files.getFileAttributeView(path, UserDefinedFileAttributeView.class)
                .write(name, StandardCharsets.UTF_8.encode(""));
    }
}
