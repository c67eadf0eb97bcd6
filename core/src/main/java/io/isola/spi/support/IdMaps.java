package io.isola.spi.support;

import io.isola.api.IdMapping;
import io.isola.api.UserNamespace;
import io.isola.internal.nativ.HostProc;
import io.isola.spi.ClonedChild;
import io.isola.spi.Isolation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The uid and gid maps of a cloned child's user namespace, as the kernel has them. Isolators that
 * prepare files for the container (a root file system owned by host root) read them in {@link
 * Isolation#afterClone}: the user isolator, first in the kernel's order, has written them by then,
 * and the child has not yet reached its filesystem phase.
 *
 * @param uids the uid map; {@code 0 0 4294967295} for the host's own user namespace
 * @param gids the gid map
 */
public record IdMaps(List<IdMapping> uids, List<IdMapping> gids) {

    private static final int MAP_BYTES = 340 * 3 * 11 + 4096;

    public IdMaps {
        uids = List.copyOf(uids);
        gids = List.copyOf(gids);
    }

    public static IdMaps of(ClonedChild child) throws IOException {
        return ofProcess(child.pid());
    }

    /**
     * The maps of process {@code pid}'s user namespace.
     *
     * @since 1.3
     */
    public static IdMaps ofProcess(long pid) throws IOException {
        // through the host's procfs handle: a file bound on /proc/PID/uid_map could show maps of its choosing
        return new IdMaps(read(pid + "/uid_map"), read(pid + "/gid_map"));
    }

    /** Whether these maps shift ids at all (a user namespace with a map other than the identity). */
    public boolean shifts() {
        return !(isIdentity(uids) && isIdentity(gids));
    }

    /** The host uid of container uid {@code uid}, or -1 when it is not mapped. */
    public long hostUid(long uid) {
        return UserNamespace.find(uids, uid).map(m -> m.toHost(uid)).orElse(-1L);
    }

    /** The host gid of container gid {@code gid}, or -1 when it is not mapped. */
    public long hostGid(long gid) {
        return UserNamespace.find(gids, gid).map(m -> m.toHost(gid)).orElse(-1L);
    }

    private static boolean isIdentity(List<IdMapping> maps) {
        return maps.stream().allMatch(m -> m.containerId() == m.hostId());
    }

    private static List<IdMapping> read(String file) throws IOException {
        List<IdMapping> maps = new ArrayList<>();
        // at most 340 lines of three numbers (user_namespaces(7))
        String text = new String(HostProc.read(file, MAP_BYTES), StandardCharsets.US_ASCII);
        for (String line : text.split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length == 3) {
                maps.add(
                        new IdMapping(Long.parseLong(fields[0]), Long.parseLong(fields[1]), Long.parseLong(fields[2])));
            }
        }
        return maps;
    }
}
