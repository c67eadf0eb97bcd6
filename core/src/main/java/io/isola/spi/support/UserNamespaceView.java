package io.isola.spi.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Whether this process runs inside a user namespace other than the host's, as a rootless engine
 * runs its OCI runtime (podman runs it as uid 0 of the user's namespace): there uid 0 may make
 * namespaces and mounts but is no root of the host, and every file of an id the namespace does
 * not map (the host's root among them) shows as the kernel's overflow uid (65534).
 *
 * @param nested the process's uid_map is not the initial namespace's identity map
 * @param overflowUid what an unmapped owner shows as ({@code /proc/sys/kernel/overflowuid})
 * @param rootOutside the id the namespace's uid 0 has in its parent namespace (the user who runs
 *     the rootless engine), or -1 where uid 0 is not mapped
 */
public record UserNamespaceView(boolean nested, long overflowUid, long rootOutside) {

    /** The initial namespace's map: every id to itself. */
    private static final String IDENTITY_MAP = "0 0 4294967295";

    /** This process's view, read once: a process never leaves its user namespace. */
    public static UserNamespaceView current() {
        return Current.VIEW;
    }

    /**
     * Whether a file owned by {@code owner} may be taken as root's: the host's root shows as the
     * overflow uid in a nested namespace, and so does every other id the namespace does not map
     * (host nobody, and any other user of the host). From inside, they cannot be told apart, so
     * in a nested namespace this check is weaker than on the host: it keeps out a directory of a
     * user the engine's namespace maps (the subordinate ids' owners), not one of an unmapped
     * user. What isola loads there (its installation, the engine's state directory) is named by
     * the user who runs the engine, as runc's and crun's are; neither checks owners at all.
     */
    public boolean showsAsHostRoot(long owner) {
        return owner == 0 || (nested && owner == overflowUid);
    }

    /**
     * The uid that names a per-user directory shared with the host ({@code /tmp/isola-UID}): the
     * user outside for the root of a nested namespace, so that two users' rootless engines, each
     * running isola as its uid 0, do not meet in /tmp/isola-0; {@code uid} itself otherwise.
     */
    public long directoryUid(long uid) {
        return nested && uid == 0 && rootOutside >= 0 ? rootOutside : uid;
    }

    private static final class Current {
        static final UserNamespaceView VIEW =
                read(Path.of("/proc/self/uid_map"), Path.of("/proc/sys/kernel/overflowuid"));
    }

    static UserNamespaceView read(Path uidMap, Path overflowUid) {
        try {
            List<String> lines = Files.readAllLines(uidMap).stream()
                    .map(l -> l.trim().replaceAll("\\s+", " "))
                    .filter(l -> !l.isEmpty())
                    .toList();
            boolean nested = !lines.equals(List.of(IDENTITY_MAP));
            long rootOutside = lines.stream()
                    .map(l -> l.split(" "))
                    .filter(f -> f.length == 3 && f[0].equals("0"))
                    .mapToLong(f -> Long.parseLong(f[1]))
                    .findFirst()
                    .orElse(-1);
            // readAllLines, not readString: a /proc/sys file reports a size of 0 and readString gave "6" of "65534"
            long overflow = Files.isReadable(overflowUid)
                    ? Long.parseLong(Files.readAllLines(overflowUid).get(0).trim())
                    : 65534;
            return new UserNamespaceView(nested, overflow, rootOutside);
        } catch (IOException | NumberFormatException e) {
            // no /proc (a unit test's fake root): the host's view, which keeps every check as strict as before
            return new UserNamespaceView(false, 65534, 0);
        }
    }
}
