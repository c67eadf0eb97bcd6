package io.isola.ns.user;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether this kernel lets the runtime create user namespaces, checked before the clone so that a
 * user reads what to change instead of an {@code EPERM} from deep inside. Each problem is one
 * line with its fix.
 */
final class KernelSupport {

    private KernelSupport() {}

    /** Throws {@link IllegalStateException} with the fix when user namespaces cannot be created. */
    static void check(Path procSys, boolean rootless) {
        if (read(procSys.resolve("user/max_user_namespaces")) == 0) {
            throw new IllegalStateException(
                    "user namespaces are disabled on this host (user.max_user_namespaces is 0); "
                            + "enable them with: sysctl -w user.max_user_namespaces=15000");
        }
        if (!rootless) {
            return;
        }
        if (read(procSys.resolve("kernel/unprivileged_userns_clone")) == 0) {
            throw new IllegalStateException(
                    "unprivileged user namespaces are disabled on this host "
                            + "(kernel.unprivileged_userns_clone is 0); enable them with: sysctl -w kernel.unprivileged_userns_clone=1");
        }
        if (read(procSys.resolve("kernel/apparmor_restrict_unprivileged_userns")) == 1) {
            throw new IllegalStateException(
                    "AppArmor restricts unprivileged user namespaces on this host "
                            + "(kernel.apparmor_restrict_unprivileged_userns is 1); allow them with: "
                            + "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor profile for java with 'userns,'");
        }
    }

    /** The number in a sysctl file, or -1 when the file does not exist on this kernel. */
    private static long read(Path file) {
        try {
            return Long.parseLong(Files.readString(file).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
