package io.isola.spi;

import java.nio.charset.StandardCharsets;

/** Ready-made steps for the calls that isolators commonly need. */
public final class Steps {

    /** {@code MS_*} flags of mount(2). */
    public static final long MS_RDONLY = 1,
            MS_NOSUID = 2,
            MS_NODEV = 4,
            MS_NOEXEC = 8,
            MS_REMOUNT = 32,
            MS_BIND = 4096,
            MS_REC = 16384,
            MS_PRIVATE = 1 << 18,
            MS_SLAVE = 1 << 19;

    private Steps() {}

    public static Step sethostname(String name) {
        return Step.call(
                "set hostname to \"" + name + "\"",
                LibcCall.SETHOSTNAME,
                Arg.text(name),
                Arg.word(name.getBytes(StandardCharsets.UTF_8).length));
    }

    public static Step setdomainname(String name) {
        return Step.call(
                "set domain name to \"" + name + "\"",
                LibcCall.SETDOMAINNAME,
                Arg.text(name),
                Arg.word(name.getBytes(StandardCharsets.UTF_8).length));
    }

    /** mount(2); {@code source}, {@code fstype} and {@code data} may be null. */
    public static Step mount(String description, String source, String target, String fstype, long flags, String data) {
        return Step.call(
                description,
                LibcCall.MOUNT,
                textOrNull(source),
                Arg.text(target),
                textOrNull(fstype),
                Arg.word(flags),
                textOrNull(data));
    }

    /** mkdir(2) that tolerates an existing directory. */
    public static Step mkdir(String path, int mode) {
        return Step.call("create directory " + path, LibcCall.MKDIR, Arg.text(path), Arg.word(mode))
                .tolerating("EEXIST");
    }

    public static Step chdir(String path) {
        return Step.call("change directory to " + path, LibcCall.CHDIR, Arg.text(path));
    }

    private static Arg textOrNull(String value) {
        return value == null ? Arg.NULL : Arg.text(value);
    }
}
