package io.isola.internal.nativ;

import java.util.Locale;

/** errno numbers to their names and texts, and back, for this platform (via jnr-constants). */
public final class Errno {

    public static final int EPERM = value("EPERM");
    public static final int EINTR = value("EINTR");
    public static final int EAGAIN = value("EAGAIN");
    public static final int ESRCH = value("ESRCH");
    public static final int ECHILD = value("ECHILD");
    public static final int ENOENT = value("ENOENT");
    public static final int EEXIST = value("EEXIST");
    public static final int ELOOP = value("ELOOP");
    public static final int ENOTDIR = value("ENOTDIR");
    public static final int ENOSYS = value("ENOSYS");
    public static final int ENODATA = value("ENODATA");
    public static final int ENOTSUP = value("EOPNOTSUPP");
    public static final int ENOTEMPTY = value("ENOTEMPTY");
    public static final int EACCES = value("EACCES");
    public static final int EXDEV = value("EXDEV");
    public static final int EISDIR = value("EISDIR");

    private Errno() {}

    /** The symbolic name of {@code errno}, such as {@code ENODEV}. */
    public static String name(int errno) {
        jnr.constants.platform.Errno e = jnr.constants.platform.Errno.valueOf(errno);
        return e == null || !e.defined() ? "errno " + errno : e.name();
    }

    /** The text of {@code errno}, as strerror gives it, lower-cased to sit inside a sentence. */
    public static String describe(int errno) {
        jnr.constants.platform.Errno e = jnr.constants.platform.Errno.valueOf(errno);
        if (e == null || !e.defined()) {
            return "unknown error";
        }
        String text = e.description();
        return text.isEmpty() ? text : text.substring(0, 1).toLowerCase(Locale.ROOT) + text.substring(1);
    }

    /** The number of the errno called {@code name}; an unknown name is a programming error. */
    public static int value(String name) {
        try {
            jnr.constants.platform.Errno e = jnr.constants.platform.Errno.valueOf(name);
            if (e.defined()) {
                return e.intValue();
            }
        } catch (IllegalArgumentException unknown) {
            // reported below
        }
        throw new IllegalArgumentException("unknown errno name \"" + name + "\"");
    }
}
