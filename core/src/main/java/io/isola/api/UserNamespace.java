package io.isola.api;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * Spec extension: run the container in a new user namespace, with the runtime's default mapping or
 * with explicit uid and gid maps ({@code --userns}, {@code --uidmap}, {@code --gidmap}).
 *
 * <p>The maps are checked here, where the mistake is: every range at least one id long, inside the
 * kernel's 32-bit ids, no two ranges overlapping on either side (the kernel refuses both), and at
 * most {@value #MAX_LINES} lines. Whether the host ids are the user's to map depends on who runs
 * the container; the user namespace isolator checks that before anything is created.
 */
public final class UserNamespace {

    /** The kernel accepts at most 340 lines per map (since Linux 4.15). */
    public static final int MAX_LINES = 340;

    private final List<IdMapping> uidMappings;
    private final List<IdMapping> gidMappings;

    private UserNamespace(List<IdMapping> uidMappings, List<IdMapping> gidMappings) {
        this.uidMappings = List.copyOf(uidMappings);
        this.gidMappings = List.copyOf(gidMappings);
    }

    /** A user namespace with the runtime's default mapping (container root to a host range). */
    public static UserNamespace defaultMapping() {
        return new UserNamespace(List.of(), List.of());
    }

    /**
     * A user namespace with these maps. Without gid maps, the gids are mapped as the uids are (as
     * podman does); without any map, this is the {@linkplain #defaultMapping() default mapping}.
     */
    public static UserNamespace of(List<IdMapping> uidMappings, List<IdMapping> gidMappings) {
        if (uidMappings.isEmpty() && !gidMappings.isEmpty()) {
            throw new IllegalArgumentException(
                    "gid map \"" + gidMappings.get(0) + "\": a gid map needs a uid map too (give --uidmap as well)");
        }
        List<IdMapping> gids = gidMappings.isEmpty() ? uidMappings : gidMappings;
        check("uid map", uidMappings);
        check("gid map", gids);
        return new UserNamespace(uidMappings, gids);
    }

    /** Parses {@code CTR:HOST:LEN} texts as given to {@code --uidmap} and {@code --gidmap}. */
    public static UserNamespace parse(List<String> uidMaps, List<String> gidMaps) {
        List<IdMapping> uids = new ArrayList<>(), gids = new ArrayList<>();
        uidMaps.forEach(text -> uids.add(IdMapping.parse("uid map", text)));
        gidMaps.forEach(text -> gids.add(IdMapping.parse("gid map", text)));
        return of(uids, gids);
    }

    public boolean isDefaultMapping() {
        return uidMappings.isEmpty();
    }

    /** The explicit uid maps; empty for the default mapping. */
    public List<IdMapping> uidMappings() {
        return uidMappings;
    }

    /** The explicit gid maps; empty for the default mapping. */
    public List<IdMapping> gidMappings() {
        return gidMappings;
    }

    /** The map line that holds container id {@code id}, if any. */
    public static Optional<IdMapping> find(List<IdMapping> maps, long id) {
        return maps.stream().filter(m -> m.containsContainerId(id)).findFirst();
    }

    /** Throws, naming the range, unless {@code maps} is a map the kernel would take. */
    public static void check(String kind, List<IdMapping> maps) {
        if (maps.size() > MAX_LINES) {
            throw new IllegalArgumentException(
                    kind + ": " + maps.size() + " ranges, at most " + MAX_LINES + " are allowed");
        }
        for (IdMapping m : maps) {
            if (m.length() < 1) {
                throw new IllegalArgumentException(kind + " \"" + m + "\": the length must be at least 1");
            }
            if (m.containerId() < 0
                    || m.hostId() < 0
                    || m.containerId() + m.length() > IdMapping.ID_LIMIT
                    || m.hostId() + m.length() > IdMapping.ID_LIMIT) {
                throw new IllegalArgumentException(
                        kind + " \"" + m + "\": the range must lie within ids 0 to " + (IdMapping.ID_LIMIT - 1));
            }
        }
        overlap(kind, maps, IdMapping::containerId, "container");
        overlap(kind, maps, IdMapping::hostId, "host");
    }

    private static void overlap(String kind, List<IdMapping> maps, ToLongFunction<IdMapping> start, String side) {
        List<IdMapping> sorted = new ArrayList<>(maps);
        sorted.sort(Comparator.comparingLong(start));
        for (int i = 1; i < sorted.size(); i++) {
            IdMapping a = sorted.get(i - 1), b = sorted.get(i);
            if (start.applyAsLong(a) + a.length() > start.applyAsLong(b)) {
                throw new IllegalArgumentException(kind + " \"" + b + "\": its " + side + " ids overlap those of \"" + a
                        + "\"; ranges may not overlap");
            }
        }
    }

    @Override
    public String toString() {
        return isDefaultMapping()
                ? "user namespace (default mapping)"
                : "user namespace (uid maps " + uidMappings + ", gid maps " + gidMappings + ")";
    }
}
