package io.isola.ns.user;

import io.isola.api.IdMapping;
import io.isola.api.UserNamespace;
import io.isola.spi.support.HostIdentity;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides a container's uid and gid maps from what the spec asks, who runs the runtime, and what
 * /etc/subuid and /etc/subgid give them; refuses, naming the range, a map with host ids that are
 * not the user's to map.
 *
 * <p>Defaults: root maps container ids 0..size-1 to a host range, the configured base or else the
 * first /etc/subuid (/etc/subgid) range of the configured user ({@code isola}); an unprivileged
 * user maps container root to its own ids and, when newuidmap/newgidmap and subordinate ranges
 * exist, container ids 1..size to its first range (podman's rootless layout).
 */
final class MapPlanner {

    /** The configured defaults of root's mapping. */
    record Defaults(String subidUser, long uidBase, long gidBase, long size) {}

    private final Defaults defaults;
    private final SubordinateIds subuid;
    private final SubordinateIds subgid;
    private final boolean helpersInstalled;

    MapPlanner(Defaults defaults, SubordinateIds subuid, SubordinateIds subgid, boolean helpersInstalled) {
        this.defaults = defaults;
        this.subuid = subuid;
        this.subgid = subgid;
        this.helpersInstalled = helpersInstalled;
    }

    MapPlan plan(UserNamespace requested, HostIdentity host, String hostUserName) {
        if (host.isRoot()) {
            if (requested != null && !requested.isDefaultMapping()) {
                return new MapPlan(requested.uidMappings(), requested.gidMappings(), MapPlan.Writer.DIRECT);
            }
            return rootDefault();
        }
        if (requested != null && !requested.isDefaultMapping()) {
            return rootless(requested.uidMappings(), requested.gidMappings(), host, hostUserName);
        }
        return rootlessDefault(host, hostUserName);
    }

    private MapPlan rootDefault() {
        long uidBase = defaults.uidBase() > 0 ? defaults.uidBase() : firstRange(subuid, "/etc/subuid");
        long gidBase = defaults.gidBase() > 0
                ? defaults.gidBase()
                : defaults.uidBase() > 0 ? defaults.uidBase() : firstRange(subgid, "/etc/subgid");
        List<IdMapping> uids = List.of(new IdMapping(0, uidBase, defaults.size()));
        List<IdMapping> gids = List.of(new IdMapping(0, gidBase, defaults.size()));
        UserNamespace.check("uid map", uids);
        UserNamespace.check("gid map", gids);
        return new MapPlan(uids, gids, MapPlan.Writer.DIRECT);
    }

    private long firstRange(SubordinateIds file, String name) {
        List<SubordinateIds.Entry> ranges = file.of(defaults.subidUser(), -1);
        SubordinateIds.Entry fit = ranges.stream()
                .filter(e -> e.count() >= defaults.size())
                .findFirst()
                .orElse(null);
        if (fit == null) {
            throw new IllegalArgumentException(
                    "--userns: no host ids for the default mapping: " + name + " has no range of "
                            + defaults.size() + " ids for user \"" + defaults.subidUser() + "\"; add one (e.g. "
                            + defaults.subidUser() + ":100000:65536 to /etc/subuid and /etc/subgid) or give --uidmap");
        }
        return fit.start();
    }

    private MapPlan rootlessDefault(HostIdentity host, String name) {
        List<SubordinateIds.Entry> uidRanges = subuid.of(name, host.uid()), gidRanges = subgid.of(name, host.uid());
        List<IdMapping> uids = new ArrayList<>(List.of(new IdMapping(0, host.uid(), 1)));
        List<IdMapping> gids = new ArrayList<>(List.of(new IdMapping(0, host.gid(), 1)));
        if (!helpersInstalled || uidRanges.isEmpty() || gidRanges.isEmpty()) {
            return new MapPlan(uids, gids, MapPlan.Writer.SELF);
        }
        uids.add(new IdMapping(
                1,
                uidRanges.get(0).start(),
                Math.min(defaults.size(), uidRanges.get(0).count())));
        gids.add(new IdMapping(
                1,
                gidRanges.get(0).start(),
                Math.min(defaults.size(), gidRanges.get(0).count())));
        return new MapPlan(uids, gids, MapPlan.Writer.HELPER);
    }

    private MapPlan rootless(List<IdMapping> uids, List<IdMapping> gids, HostIdentity host, String name) {
        boolean uidSelf = owned("uid", uids, host.uid(), subuid.of(name, host.uid()), host, "/etc/subuid");
        boolean gidSelf = owned("gid", gids, host.gid(), subgid.of(name, host.uid()), host, "/etc/subgid");
        if (uidSelf && gidSelf) {
            return new MapPlan(uids, gids, MapPlan.Writer.SELF);
        }
        if (!helpersInstalled) {
            String kind = uidSelf ? "gid" : "uid";
            long own = uidSelf ? host.gid() : host.uid();
            IdMapping first = (uidSelf ? gids : uids)
                    .stream()
                            .filter(m -> !(m.hostId() == own && m.length() == 1))
                            .findFirst()
                            .orElseThrow();
            throw new IllegalArgumentException(kind + " map \"" + first + "\": mapping ids other than your own needs "
                    + "newuidmap and newgidmap, which are not installed (Debian package uidmap)");
        }
        return new MapPlan(uids, gids, MapPlan.Writer.HELPER);
    }

    /**
     * Throws unless every range is the user's own id or inside one of its subordinate ranges;
     * returns whether the map is only the user's own id (which it may write without a helper).
     */
    private boolean owned(
            String kind,
            List<IdMapping> maps,
            long own,
            List<SubordinateIds.Entry> ranges,
            HostIdentity host,
            String file) {
        boolean selfOnly = true;
        for (IdMapping m : maps) {
            boolean self = m.hostId() == own && m.length() == 1;
            boolean subordinate =
                    ranges.stream().anyMatch(r -> m.hostId() >= r.start() && m.hostId() + m.length() <= r.end());
            if (!self && !subordinate) {
                throw new IllegalArgumentException(kind + " map \"" + m + "\": host " + kind + "s " + m.hostId() + "-"
                        + (m.hostId() + m.length() - 1) + " are not yours to map; as uid " + host.uid()
                        + " you may map your own "
                        + kind + " " + own
                        + (ranges.isEmpty()
                                ? " (" + file + " gives you no range)"
                                : " and the " + file + " ranges " + ranges));
            }
            selfOnly &= self;
        }
        return selfOnly;
    }
}
