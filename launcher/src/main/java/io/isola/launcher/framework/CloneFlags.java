package io.isola.launcher.framework;

import io.isola.spi.Namespace;
import java.util.Locale;

/** The kernel's names of the clone flags, for messages and listings. */
final class CloneFlags {

    private CloneFlags() {}

    /** {@code CLONE_NEWUTS}; the mount namespace's flag is historically {@code CLONE_NEWNS}. */
    static String name(Namespace namespace) {
        return namespace == Namespace.MOUNT
                ? "CLONE_NEWNS"
                : "CLONE_NEW" + namespace.procName().toUpperCase(Locale.ROOT);
    }
}
