package io.isola.launcher.framework;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.spi.support.HostIdentity;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleCacheTest {

    @Test
    void aCacheLeftByAProcessThatEndedIsRemovedByTheNextStart(@TempDir Path tmp) throws Exception {
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();
        Path stale = Files.createDirectories(tmp.resolve("isola-felix-" + ended.pid() + "-42/bundle1"));
        Path live = Files.createDirectories(
                tmp.resolve("isola-felix-" + ProcessHandle.current().pid() + "-7"));
        Path other = Files.createDirectories(tmp.resolve("isola-felix-notes"));

        Path fresh = BundleCache.create(tmp);

        assertFalse(Files.exists(stale.getParent()));
        assertTrue(Files.isDirectory(live));
        assertTrue(Files.isDirectory(other));
        assertTrue(fresh.getFileName()
                .toString()
                .startsWith("isola-felix-" + ProcessHandle.current().pid() + "-"));
        BundleCache.delete(fresh);
        assertFalse(Files.exists(fresh));
        try (var left = Files.list(tmp)) {
            assertEquals(2, left.count());
        }
    }

    /** In the shared temporary directory another user's directory of that name is theirs: left alone, links and all. */
    @Test
    void anotherUsersDirectoryOfACachesNameIsNotRemoved(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(HostIdentity.current().isRoot(), "chown needs root");
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();
        Path host = Files.createDirectories(tmp.resolve("host"));
        Files.writeString(host.resolve("file"), "host");
        Path planted = Files.createDirectories(tmp.resolve("isola-felix-" + ended.pid() + "-1"));
        Files.createSymbolicLink(planted.resolve("link"), host);
        Files.setAttribute(planted, "unix:uid", 54321, LinkOption.NOFOLLOW_LINKS);

        BundleCache.delete(BundleCache.create(tmp));

        assertTrue(Files.isSymbolicLink(planted.resolve("link")), "another user's directory was emptied");
        assertEquals("host", Files.readString(host.resolve("file")));
    }
}
