package io.isola.launcher.cli;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.ContainerSpec;
import io.isola.launcher.Main;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Monitor;
import io.isola.lifecycle.ProcessIdentity;
import io.isola.lifecycle.StateStore;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An engine's {@code kill} and {@code start} name its own container by its whole id, as runc's and crun's take it:
 * when that container is gone, the call must not signal a Docker-style container in the same root
 * that the id names or prefixes.
 */
class EngineReferenceTest {

    @TempDir
    Path root;

    @Test
    void anEnginesKillOrStartOfAGoneContainerTouchesNoDockerStyleContainerItNamesOrPrefixes() throws Exception {
        Process container = new ProcessBuilder("sleep", "60").start();
        Process monitor = new ProcessBuilder("sleep", "60").start();
        try {
            StateStore store = new StateStore(root);
            ContainerState state = Monitor.register(
                    store, "c3", "c", ContainerSpec.builder("true").build(), true, false);
            store.write(state.withStatus(ContainerState.Status.RUNNING)
                    .withPid(container.pid())
                    .withExtra(state.isola()
                            .withProcess(
                                    ProcessIdentity.of(container.pid()), ProcessIdentity.of(monitor.pid()), "now")));

            // with runc's --log, as containerd's shim calls
            int runcForm = Main.execute(new String[] {
                "--root", root.toString(), "--log", root.resolve("log.json").toString(), "kill", "c", "TERM"
            });
            int logged = Main.execute(new String[] {
                "--root", root.toString(), "--log", root.resolve("log.json").toString(), "kill", "c"
            });

            int started = Main.execute(new String[] {
                "--root", root.toString(), "--log", root.resolve("log.json").toString(), "start", "c"
            });

            assertNotEquals(0, started, "--log start c found a container");
            assertNotEquals(0, runcForm, "--log kill c TERM found a container");
            assertNotEquals(0, logged, "--log kill c found a container");
            assertTrue(!container.waitFor(1, TimeUnit.SECONDS), "an engine's kill of c signalled the Docker-style c3");
        } finally {
            container.destroyForcibly();
            monitor.destroyForcibly();
        }
    }
}
