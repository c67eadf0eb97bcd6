package io.isola.ns.user;

import io.isola.api.IdMapping;
import java.util.regex.Pattern;

/**
 * The user isolator's configuration (conf/io.isola.ns.user.cfg) checked once, when the component
 * activates: a bad value stops it with a message naming the key, the value and what is allowed
 * (the launcher adds the file). The values arrive as text, as FileInstall reads them, so that a
 * number that is not one is reported here rather than silently taken as a default.
 */
final class UserSettings {

    /** As shadow's useradd accepts names (and a number, which /etc/subuid also accepts). */
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9_.][A-Za-z0-9_.-]{0,31}\\$?");

    private UserSettings() {}

    static MapPlanner.Defaults of(String subidUser, String hostUidBase, String hostGidBase, String rangeSize) {
        String user = subidUser == null ? "" : subidUser.strip();
        if (!USER.matcher(user).matches()) {
            throw new IllegalArgumentException("subidUser \"" + subidUser + "\": expected a user name of /etc/subuid "
                    + "(1 to 32 letters, digits, '_', '.', '-')");
        }
        long size = number(
                "rangeSize", rangeSize, 1, IdMapping.ID_LIMIT, "a number of ids from 1 to " + IdMapping.ID_LIMIT);
        long last = IdMapping.ID_LIMIT - size;
        String base = "0 (take it from /etc/subuid) or a host id from 1 to " + last + " (rangeSize " + size
                + " ids must fit)";
        long uidBase = number("hostUidBase", hostUidBase, 0, last, base);
        long gidBase = number("hostGidBase", hostGidBase, 0, last, base.replace("subuid", "subgid, or the uid base"));
        return new MapPlanner.Defaults(user, uidBase, gidBase, size);
    }

    private static long number(String key, String value, long min, long max, String allowed) {
        String text = value == null ? "" : value.strip();
        try {
            long number = Long.parseLong(text);
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(key + " \"" + value + "\": expected " + allowed);
    }
}
