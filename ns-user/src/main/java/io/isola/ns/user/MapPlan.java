package io.isola.ns.user;

import io.isola.api.IdMapping;
import io.isola.api.ProcessUser;
import io.isola.api.UserNamespace;
import java.util.List;

/**
 * The uid and gid maps one container gets, and how the host writes them.
 *
 * @param uids the uid map, checked
 * @param gids the gid map, checked
 * @param writer who writes the maps
 */
record MapPlan(List<IdMapping> uids, List<IdMapping> gids, Writer writer) {

    enum Writer {
        /** Root on the host writes both maps itself; any host range is allowed. */
        DIRECT,
        /**
         * An unprivileged user maps only its own uid and gid. The kernel lets it write the maps
         * itself, but only after {@code setgroups} is denied in the namespace: otherwise the
         * process could drop a group that denies it access (see user_namespaces(7)).
         */
        SELF,
        /** An unprivileged user maps ranges of /etc/subuid and /etc/subgid: the setuid newuidmap and newgidmap do it. */
        HELPER
    }

    MapPlan {
        uids = List.copyOf(uids);
        gids = List.copyOf(gids);
    }

    /** Whether the child may call setgroups; the kernel refuses it where the maps were written after a "deny". */
    boolean setgroupsAllowed() {
        return writer != Writer.SELF;
    }

    /** Throws, naming the id, unless container root and the process's ids are mapped. */
    void checkCovers(ProcessUser user) {
        // the setup steps before the switch to the process's user run as root inside
        if (UserNamespace.find(uids, 0).isEmpty()) {
            throw new IllegalArgumentException("uid maps " + uids + ": container uid 0 is not mapped; the container's "
                    + "setup runs as root inside and needs it");
        }
        if (UserNamespace.find(gids, 0).isEmpty()) {
            throw new IllegalArgumentException("gid maps " + gids + ": container gid 0 is not mapped; the container's "
                    + "setup runs as root inside and needs it");
        }
        if (user == null) {
            return;
        }
        String what = "--user \"" + user.uid() + ":" + user.gid() + "\": ";
        if (UserNamespace.find(uids, user.uid()).isEmpty()) {
            throw new IllegalArgumentException(what + "uid " + user.uid()
                    + " is not mapped in the container's user namespace " + "(uid maps " + uids + ")");
        }
        if (UserNamespace.find(gids, user.gid()).isEmpty()) {
            throw new IllegalArgumentException(what + "gid " + user.gid()
                    + " is not mapped in the container's user namespace " + "(gid maps " + gids + ")");
        }
        for (long group : user.groups()) {
            if (UserNamespace.find(gids, group).isEmpty()) {
                throw new IllegalArgumentException("supplementary group " + group
                        + ": not mapped in the container's user " + "namespace (gid maps " + gids + ")");
            }
        }
        if (!user.groups().isEmpty() && !setgroupsAllowed()) {
            throw new IllegalArgumentException(
                    "supplementary groups " + user.groups() + ": a rootless container that maps "
                            + "only your own ids cannot set groups (the kernel denies setgroups); map /etc/subgid ranges (package uidmap)");
        }
    }

    /** The map as the kernel takes it: one "CTR HOST LEN" line per range. */
    static String text(List<IdMapping> maps) {
        StringBuilder out = new StringBuilder();
        maps.forEach(m -> out.append(m.containerId())
                .append(' ')
                .append(m.hostId())
                .append(' ')
                .append(m.length())
                .append('\n'));
        return out.toString();
    }
}
