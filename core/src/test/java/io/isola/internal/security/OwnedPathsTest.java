package io.isola.internal.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.api.IsolaException;
import io.isola.spi.support.HostIdentity;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Directories planted or loosened by another user are refused; the caller's own are made or
 * narrowed to 0700. "Another user" is real: paths are chowned to uid 4242 (the tests run as root),
 * and the rootless case passes that uid as the caller.
 */
class OwnedPathsTest {

    private static final long OTHER = 4242;

    @TempDir
    Path tmp;

    private long me;

    @BeforeEach
    void root() {
        me = HostIdentity.current().uid();
        assumeTrue(me == 0, "chowning a path to another user needs root");
    }

    @Test
    void aMissingPrivateDirectoryIsMade0700WithItsParents() throws Exception {
        Path dir = OwnedPaths.privateDirectory(tmp.resolve("a/b/state"), "state directory");
        assertEquals("rwx------", mode(dir));
        assertEquals(me, uid(dir));
    }

    @Test
    void anExistingOwnDirectoryIsKeptUnlessOthersCanWriteIt() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals(dir, OwnedPaths.privateDirectory(dir, "state directory"));
        assertEquals("rwxr-xr-x", mode(dir), "/run/isola also holds the sandbox mount point: its mode stays");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertEquals(
                "state directory " + dir + " is writable by others (mode rwxrwxrwx); chmod go-w it, or give another "
                        + "directory",
                assertThrows(IsolaException.class, () -> OwnedPaths.privateDirectory(dir, "state directory"))
                        .getMessage());
    }

    @Test
    void aPlantedDirectoryOrLinkIsRefusedAndLeftAlone() throws Exception {
        Path planted = Files.createDirectory(tmp.resolve("planted"));
        Files.setAttribute(planted, "unix:uid", (int) OTHER);
        Files.setPosixFilePermissions(planted, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertEquals(
                "state directory " + planted + " belongs to uid " + OTHER + ", not to you (uid 0); remove it or give a "
                        + "directory of your own",
                assertThrows(IsolaException.class, () -> OwnedPaths.privateDirectory(planted, "state directory"))
                        .getMessage());
        assertEquals("rwxrwxrwx", mode(planted), "somebody else's directory is not touched");

        Path mine = Files.createDirectory(tmp.resolve("mine"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), mine);
        String message = assertThrows(IsolaException.class, () -> OwnedPaths.privateDirectory(link, "state directory"))
                .getMessage();
        assertTrue(message.startsWith("state directory " + link + " is a symbolic link"), message);

        Path file = Files.createFile(tmp.resolve("file"));
        assertEquals(
                "state directory " + file + " is not a directory",
                assertThrows(IsolaException.class, () -> OwnedPaths.privateDirectory(file, "state directory"))
                        .getMessage());
    }

    /** A rootless caller (uid 4242) gets its own directory and refuses root's. */
    @Test
    void aRootlessCallerAcceptsOnlyItsOwn() throws Exception {
        Path theirs = Files.createDirectory(tmp.resolve("theirs"));
        Files.setAttribute(theirs, "unix:uid", (int) OTHER);
        assertEquals(theirs, OwnedPaths.privateDirectory(theirs, "runtime directory", OTHER));
        Path roots = Files.createDirectory(tmp.resolve("roots"));
        assertThrows(IsolaException.class, () -> OwnedPaths.privateDirectory(roots, "runtime directory", OTHER));
    }

    @Test
    void aTrustedDirectoryMayBeRootsOrTheCallersButWritableByNobodyElse() throws Exception {
        Path conf = Files.createDirectory(tmp.resolve("conf"));
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals(conf, OwnedPaths.trustedDirectory(conf, "configuration directory"));
        assertEquals(
                conf, OwnedPaths.trustedDirectory(conf, "configuration directory", OTHER), "root's is trusted by all");

        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertEquals(
                "plugins directory " + conf + " is writable by everybody (mode rwxrwxrwx); anyone who can write there "
                        + "chooses what isola loads: chmod go-w it",
                assertThrows(IsolaException.class, () -> OwnedPaths.trustedDirectory(conf, "plugins directory"))
                        .getMessage());

        Path foreign = Files.createDirectory(tmp.resolve("foreign"));
        Files.setAttribute(foreign, "unix:uid", (int) OTHER);
        assertEquals(
                "plugins directory " + foreign + " belongs to uid " + OTHER
                        + "; isola loads only what you (uid 0) or root own",
                assertThrows(IsolaException.class, () -> OwnedPaths.trustedDirectory(foreign, "plugins directory"))
                        .getMessage());

        Path mine = Files.createDirectory(tmp.resolve("mine"));
        Path link = Files.createSymbolicLink(tmp.resolve("planted-link"), mine);
        Files.setAttribute(link, "unix:uid", (int) OTHER, LinkOption.NOFOLLOW_LINKS);
        String message = assertThrows(
                        IsolaException.class, () -> OwnedPaths.trustedDirectory(link, "plugins directory"))
                .getMessage();
        assertEquals(
                "plugins directory " + link + " is a symbolic link that belongs to uid " + OTHER
                        + "; only links of yours or root's are followed",
                message);
        Path ownLink = Files.createSymbolicLink(tmp.resolve("own-link"), mine);
        assertEquals(ownLink, OwnedPaths.trustedDirectory(ownLink, "plugins directory"));
        assertFalse(Files.exists(tmp.resolve("missing")));
        assertEquals(tmp.resolve("missing"), OwnedPaths.trustedDirectory(tmp.resolve("missing"), "plugins directory"));
    }

    private static String mode(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }

    private static long uid(Path path) throws Exception {
        return ((Number) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
    }
}
