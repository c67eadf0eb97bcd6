package io.isola.spi.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserNamespaceViewTest {

    @TempDir
    Path dir;

    private UserNamespaceView view(String uidMap) throws Exception {
        Path map = Files.writeString(dir.resolve("uid_map"), uidMap);
        Path overflow = Files.writeString(dir.resolve("overflowuid"), "65534\n");
        return UserNamespaceView.read(map, overflow);
    }

    @Test
    void inARootlessEnginesNamespaceTheOverflowUidIsTheHostsRoot() throws Exception {
        // podman's rootless namespace: its root is the user, then the user's subordinate range
        UserNamespaceView podman = view("         0       1001          1\n         1     100000      65536\n");

        assertTrue(podman.nested());
        assertTrue(podman.showsAsHostRoot(65534));
        assertTrue(podman.showsAsHostRoot(0));
        assertFalse(podman.showsAsHostRoot(1000), "a mapped user's file is that user's, not root's");
        assertEquals(
                1001,
                podman.directoryUid(0),
                "the user's /tmp/isola-1001, not /tmp/isola-0 that every such root would share");
        assertEquals(5, podman.directoryUid(5));
    }

    @Test
    void onTheHostTheOverflowUidIsNobodyAndNotTrusted() throws Exception {
        UserNamespaceView host = view("         0          0 4294967295\n");

        assertFalse(host.nested());
        assertFalse(host.showsAsHostRoot(65534));
        assertTrue(host.showsAsHostRoot(0));
        assertEquals(0, host.directoryUid(0));
    }

    @Test
    void withoutProcTheChecksStayTheHosts() {
        UserNamespaceView none = UserNamespaceView.read(dir.resolve("missing"), dir.resolve("missing-too"));

        assertFalse(none.nested());
        assertFalse(none.showsAsHostRoot(65534));
    }
}
