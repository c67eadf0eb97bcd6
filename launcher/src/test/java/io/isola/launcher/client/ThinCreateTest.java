package io.isola.launcher.client;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When an engine's create takes the thin path, and that it falls back rather than fails. */
class ThinCreateTest {

    /**
     * Rootless podman runs the runtime as root of the user's namespace, where the server
     * directory cannot be made: the create runs in-process (null), as every client does, instead
     * of failing the engine's create.
     */
    @Test
    void aServerDirectoryThatCannotBeMadeMeansInProcess() throws IOException {
        String[] args = {"create", "--bundle", "/nonexistent-bundle", "c1"};
        Map<String, String> env = Map.of("ISOLA_SERVER_DIR", "/proc/self/cannot-be-made/isola-server");
        assertNull(new ThinCreate(args, env).viaServer());
    }

    @Test
    void onlyAnEnginesCreateWithTheServersConfigurationIsThin() {
        assertTrue(ThinCreate.thin(new String[] {"--root", "/run/x", "create", "--bundle", "b", "c1"}));
        assertFalse(ThinCreate.thin(new String[] {"create", "busybox"}), "Docker's create");
        assertFalse(
                ThinCreate.thin(new String[] {"--config", "/etc/other", "create", "--bundle", "b", "c1"}),
                "another configuration than the server's");
    }

    /** conmon's and the shim's exec: a process file, detached; a console socket stays in-process (the server would make the terminal). */
    @Test
    void anEnginesDetachedExecOfAProcessFileIsThin() {
        assertTrue(ThinCreate.thin(
                new String[] {"--root", "/r", "exec", "--process", "p.json", "--detach", "--pid-file", "f", "c1"}));
        assertFalse(
                ThinCreate.thin(new String[] {"exec", "--process", "p.json", "--pid-file", "f", "c1"}), "not detached");
        assertFalse(
                ThinCreate.thin(new String[] {
                    "exec", "--process", "p.json", "--detach", "--console-socket", "/s", "--pid-file", "f", "c1"
                }),
                "a console socket");
        assertFalse(ThinCreate.thin(new String[] {"exec", "-d", "c1", "sh"}), "isola's own exec");
    }
}
