package io.isola.spi.support;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether the host's kernel enables SELinux, which decides whether SELinux labels are applied or
 * ignored (runc's behaviour: an engine sends its defaults whatever the host). Read once: a
 * kernel's security modules are chosen at boot.
 *
 * @since 1.2
 */
public final class Selinux {

    /** Present where SELinux is enabled and selinuxfs mounted, as runc and crun check it. */
    public static final String ENFORCE = "/sys/fs/selinux/enforce";

    private static final boolean ENABLED = Files.exists(Path.of(ENFORCE));

    private Selinux() {}

    public static boolean enabled() {
        return ENABLED;
    }
}
