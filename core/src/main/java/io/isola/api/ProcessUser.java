package io.isola.api;

import java.util.ArrayList;
import java.util.List;

/**
 * Spec extension: the user, group and supplementary groups the command runs as ({@code --user
 * UID[:GID]}, {@code --group-add}). Ids are numeric, as seen inside the container; the CLI turns
 * {@code --user NAME[:GROUP]} into ids from the container's own /etc/passwd and /etc/group before
 * the spec is built. Without a GID the group is 0, as with Docker.
 *
 * <p>The runtime switches to these ids last in the lock-down phase, after the isolators' steps
 * there. A uid other than 0 ends with no capabilities at all: the kernel clears the effective and
 * permitted sets on the switch, and the runtime clears the ambient and inheritable sets too, so
 * the command cannot get any back through exec.
 */
public record ProcessUser(long uid, long gid, List<Long> groups) {

    /** The kernel accepts at most 65536 supplementary groups (NGROUPS_MAX). */
    public static final int MAX_GROUPS = 65536;

    public ProcessUser {
        groups = List.copyOf(groups);
        String text = uid + ":" + gid;
        checkId("--user \"" + text + "\": uid", uid);
        checkId("--user \"" + text + "\": gid", gid);
        if (groups.size() > MAX_GROUPS) {
            throw new IllegalArgumentException(
                    "supplementary groups: " + groups.size() + ", at most " + MAX_GROUPS + " are allowed");
        }
        groups.forEach(group -> checkId("supplementary group " + group, group));
    }

    public static ProcessUser of(long uid, long gid, long... groups) {
        List<Long> list = new ArrayList<>();
        for (long group : groups) {
            list.add(group);
        }
        return new ProcessUser(uid, gid, list);
    }

    /** Parses {@code UID[:GID]}, as {@code --user} takes it. */
    public static ProcessUser parse(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length > 2 || parts[0].isEmpty() || (parts.length == 2 && parts[1].isEmpty())) {
            throw new IllegalArgumentException("--user \"" + text + "\": expected UID or UID:GID, numbers");
        }
        long uid = number(text, parts[0]);
        long gid = parts.length == 2 ? number(text, parts[1]) : 0;
        return new ProcessUser(uid, gid, List.of());
    }

    /** This user with these supplementary groups instead of its own. */
    public ProcessUser withGroups(List<Long> supplementary) {
        return new ProcessUser(uid, gid, supplementary);
    }

    private static long number(String text, String part) {
        if (!part.chars().allMatch(Character::isDigit) || part.length() > 10) {
            throw new IllegalArgumentException(
                    "--user \"" + text + "\": expected UID or UID:GID, numbers (names are for the CLI to look up)");
        }
        long id = Long.parseLong(part);
        if (id >= IdMapping.ID_LIMIT) {
            throw new IllegalArgumentException(
                    "--user \"" + text + "\": " + id + " is past the last id, " + (IdMapping.ID_LIMIT - 1));
        }
        return id;
    }

    private static void checkId(String what, long id) {
        if (id < 0 || id >= IdMapping.ID_LIMIT) {
            throw new IllegalArgumentException(
                    what + " " + id + ": expected a number from 0 to " + (IdMapping.ID_LIMIT - 1));
        }
    }
}
