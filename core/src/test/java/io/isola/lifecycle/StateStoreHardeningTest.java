package io.isola.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.IsolaException;
import io.isola.spi.support.HostIdentity;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state store's files are the caller's and private, and it never writes through a root it does not own. */
class StateStoreHardeningTest {

    @TempDir
    Path tmp;

    private static ContainerState state(String id) {
        return new ContainerState(
                ContainerState.OCI_VERSION, id, ContainerState.Status.CREATING, 0, null, Map.of(), "2026-01-01", null);
    }

    @Test
    void theRootTheContainerDirectoryStateAndLockAreTheCallersAndPrivate() throws Exception {
        StateStore store = new StateStore(tmp.resolve("run/isola"));
        store.create(state("abc"));

        long me = HostIdentity.current().uid();
        for (Path path : new Path[] {store.root(), store.dir("abc")}) {
            assertEquals("rwx------", mode(path), path.toString());
            assertEquals(me, uid(path), path.toString());
        }
        for (Path path :
                new Path[] {store.root().resolve(".lock"), store.dir("abc").resolve(StateStore.STATE_FILE)}) {
            assertEquals("rw-------", mode(path), path.toString());
            assertEquals(me, uid(path), path.toString());
        }
    }

    @Test
    void aRootOthersCanWriteIsRefused() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("root"));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxrwxrwx"));
        IsolaException e = assertThrows(IsolaException.class, () -> new StateStore(root).create(state("abc")));
        assertTrue(e.getMessage().contains("is writable by others"), e.getMessage());
        assertFalse(Files.exists(root.resolve("abc")));
    }

    @Test
    void aRootThatIsALinkOrSomebodyElsesIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), elsewhere);
        IsolaException e = assertThrows(IsolaException.class, () -> new StateStore(link).create(state("abc")));
        assertTrue(e.getMessage().startsWith("state directory " + link + " is a symbolic link"), e.getMessage());
        assertFalse(Files.exists(elsewhere.resolve("abc")), "nothing written through the link");
        assertFalse(Files.exists(elsewhere.resolve(".lock")));

        if (HostIdentity.current().isRoot()) { // a directory another user made for root to use
            Path planted = Files.createDirectory(tmp.resolve("planted"));
            Files.setAttribute(planted, "unix:uid", 4242);
            e = assertThrows(IsolaException.class, () -> new StateStore(planted).create(state("abc")));
            assertTrue(e.getMessage().contains("belongs to uid 4242, not to you"), e.getMessage());
            assertFalse(Files.exists(planted.resolve("abc")));
        }
    }

    /**
     * A root of the caller's own below a directory another user can change: they could rename the
     * checked root away and put theirs in its place (a state naming any process for kill to
     * signal) between the check and a read. The old check looked at the root alone.
     */
    @Test
    void aRootBelowADirectorySomebodyElseCanChangeIsRefused() throws Exception {
        Path theirs = Files.createDirectory(tmp.resolve("theirs"));
        Path root = Files.createDirectory(theirs.resolve("root"));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(theirs, PosixFilePermissions.fromString("rwxrwxrwx"));
        IsolaException e = assertThrows(IsolaException.class, () -> new StateStore(root).create(state("abc")));
        assertEquals(
                "state directory " + root + ": " + theirs + " above it is writable by others (mode rwxrwxrwx) and not"
                        + " sticky, so they could replace it; give a directory whose parents only you or root can change",
                e.getMessage());
        assertFalse(Files.exists(root.resolve("abc")));

        if (HostIdentity.current().isRoot()) {
            Files.setPosixFilePermissions(theirs, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setAttribute(theirs, "unix:uid", 4242);
            e = assertThrows(IsolaException.class, () -> new StateStore(root).list());
            assertTrue(e.getMessage().contains(theirs + " above it belongs to uid 4242"), e.getMessage());
        }
    }

    private static String mode(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }

    private static long uid(Path path) throws Exception {
        return ((Number) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
    }
}
