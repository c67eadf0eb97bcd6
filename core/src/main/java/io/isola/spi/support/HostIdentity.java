package io.isola.spi.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Who this JVM runs as on the host, read from {@code /proc/self/status}. A runtime started by a
 * user other than root is rootless: it gets its namespaces through a user namespace, and features
 * that need root on the host must be refused with a message rather than fail deep inside.
 *
 * @param uid the effective uid
 * @param gid the effective gid
 */
public record HostIdentity(long uid, long gid) {

    /**
     * This process's effective ids. Read once: isola never changes its own ids, and a resident
     * server asked for them several times a command, each a read of a /proc file the kernel
     * makes anew.
     */
    public static HostIdentity current() {
        return Current.IDENTITY;
    }

    /** The ids, read when first asked for (a holder class: lazy, and safe without a lock). */
    private static final class Current {
        static final HostIdentity IDENTITY = read();
    }

    private static HostIdentity read() {
        try {
            List<String> status = Files.readAllLines(Path.of("/proc/self/status"));
            return new HostIdentity(effective(status, "Uid:"), effective(status, "Gid:"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/status", e);
        }
    }

    /** uid 0: root of the host, or of a user namespace this process runs in ({@link #isHostRoot()} tells them apart). */
    public boolean isRoot() {
        return uid == 0;
    }

    /**
     * Root of the host itself, whose directories (/run/isola) are its own. The root of a rootless
     * engine's user namespace (podman runs its OCI runtime so) may make namespaces and mounts, but
     * the host's root-owned directories show as the overflow uid's to it and are not writable.
     */
    public boolean isHostRoot() {
        return isRoot() && !UserNamespaceView.current().nested();
    }

    private static long effective(List<String> status, String key) {
        for (String line : status) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[1]);
            }
        }
        throw new IllegalStateException("/proc/self/status has no " + key + " line");
    }
}
