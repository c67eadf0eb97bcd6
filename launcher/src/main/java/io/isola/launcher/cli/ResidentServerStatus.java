package io.isola.launcher.cli;

import io.isola.launcher.client.ServerAddress;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Whether this user's resident server for this installation runs, and its pid: a server holds
 * {@code <socket>.lock} (which holds its pid) for its whole life.
 */
record ResidentServerStatus(boolean running, long pid) {

    static ResidentServerStatus now() {
        ServerAddress address = ServerAddress.of(ServerAddress.currentUid(), System.getenv());
        Path lock = Path.of(address.socket() + ".lock");
        if (!Files.isRegularFile(lock, LinkOption.NOFOLLOW_LINKS)) {
            return new ResidentServerStatus(false, 0);
        }
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.WRITE);
                FileLock free = channel.tryLock()) {
            if (free != null) {
                return new ResidentServerStatus(false, 0);
            }
            String pid = Files.readString(lock).strip();
            return new ResidentServerStatus(true, pid.matches("\\d{1,10}") ? Long.parseLong(pid) : 0);
        } catch (IOException | OverlappingFileLockException e) {
            return new ResidentServerStatus(false, 0);
        }
    }

    String describe() {
        return running
                ? "running" + (pid > 0 ? " (pid " + pid + ")" : "")
                : "not running (the next run, ps, stop, ... starts it)";
    }
}
