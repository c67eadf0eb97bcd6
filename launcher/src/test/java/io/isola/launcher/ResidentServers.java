package io.isola.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The resident servers a test's clients started in its server directory, found by the pids in their lock files. */
final class ResidentServers {

    private ResidentServers() {}

    /** The live server processes of {@code dir}. */
    static List<ProcessHandle> running(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<ProcessHandle> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path lock : files.filter(p -> p.toString().endsWith(".lock")).toList()) {
                String pid = Files.readString(lock).strip();
                if (!pid.isEmpty()) {
                    ProcessHandle.of(Long.parseLong(pid))
                            .filter(ProcessHandle::isAlive)
                            .ifPresent(found::add);
                }
            }
        }
        return found;
    }

    /** Stops them (SIGTERM, SIGKILL after 20 s); returns how many ran. */
    static int stopAll(Path dir) throws IOException {
        List<ProcessHandle> servers = running(dir);
        for (ProcessHandle server : servers) {
            server.destroy();
            // null when it outlived the 20 s (a loaded machine): then SIGKILL, not a NullPointerException
            if (!server.equals(server.onExit()
                    .toCompletableFuture()
                    .completeOnTimeout(null, 20, TimeUnit.SECONDS)
                    .join())) {
                server.destroyForcibly();
            }
        }
        return servers.size();
    }
}
