package io.isola.launcher.server;

import io.isola.internal.nativ.Native;
import io.isola.launcher.IsolaRuntime;
import io.isola.launcher.cli.IsolaCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code isola __server SOCKET}: the resident server (started by the first client, not by users).
 * Boots the framework once, then serves command lines until it has been idle for
 * {@code $ISOLA_SERVER_IDLE} seconds (default 300) with no detached container to watch.
 */
@Command(name = "__server", hidden = true, description = "Serve this user's command lines (internal).")
public final class ServerCommand implements Callable<Integer> {

    static final Duration DEFAULT_IDLE = Duration.ofSeconds(300);

    @Parameters(index = "0", paramLabel = "SOCKET")
    private Path socket;

    @ParentCommand
    private IsolaCommand parent;

    @Override
    public Integer call() throws Exception {
        // out of the first client's session and process group: its Ctrl-C is not ours
        Native.get().libc().setsid();
        ResidentServer server = ResidentServer.claim(socket, idle());
        if (server == null) {
            return 0; // another server holds the lock; the client connects to that one
        }
        ServerCgroup cgroup = ServerCgroup.enter();
        Runtime.getRuntime().addShutdownHook(new Thread(cgroup::leave, "isola-server-cgroup"));
        try (server;
                IsolaRuntime runtime = IsolaRuntime.withIsolators(parent.config(), Set.of())) {
            IsolaRuntime.makeResident(runtime);
            try {
                return server.serve();
            } finally {
                IsolaRuntime.makeResident(null);
            }
        } finally {
            cgroup.leave();
        }
    }

    private static Duration idle() {
        String value = System.getenv("ISOLA_SERVER_IDLE");
        if (value == null || value.isBlank()) {
            return DEFAULT_IDLE;
        }
        try {
            return Duration.ofSeconds(Long.parseLong(value.strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("ISOLA_SERVER_IDLE \"" + value + "\": expected a number of seconds");
        }
    }
}
