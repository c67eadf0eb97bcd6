package io.isola.oci;

import io.isola.api.Security;
import io.isola.internal.security.AppArmorOnExec;
import io.isola.spi.support.Selinux;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fields that depend on a kernel module of the host's: the security labels ({@code
 * process.apparmorProfile}, {@code process.selinuxLabel}, {@code linux.mountLabel}) and Intel RDT
 * ({@code linux.intelRdt}). The AppArmor profile is applied where AppArmor is enabled and refused
 * where it is not, as runc refuses it (its write to the process's attribute fails there), except
 * {@code unconfined}, which the command is there anyway. The SELinux labels are applied where
 * SELinux is enabled, as runc applies them (the process's at its execve, the mount label as the
 * {@code context=} of the file systems isola mounts), and ignored with a debug line elsewhere (an
 * engine sends its defaults whatever the host). intelRdt without resctrl is refused, as runc
 * refuses it.
 */
final class HostModulesSection {

    private static final Logger LOG = LoggerFactory.getLogger(HostModulesSection.class);

    /** What the host enables. */
    record Modules(boolean apparmor, boolean selinux, boolean resctrl) {
        static Modules ofThisHost() {
            return new Modules(AppArmorOnExec.Host.ofThisHost().enabled(), Selinux.enabled(), resctrlKnown());
        }

        private static boolean resctrlKnown() {
            try {
                return Files.readAllLines(Path.of("/proc/filesystems")).stream().anyMatch(l -> l.endsWith("\tresctrl"));
            } catch (IOException e) {
                return false;
            }
        }
    }

    private HostModulesSection() {}

    static void read(ConfigFields fields, Modules modules, Security.Builder security) {
        appArmor(fields, modules.apparmor(), security);
        selinux(fields, "process.selinuxLabel", modules.selinux(), security::selinuxLabel);
        selinux(fields, "linux.mountLabel", modules.selinux(), security::mountLabel);
        if (fields.at("linux.intelRdt") != null) {
            fields.take("linux.intelRdt");
            throw ConfigFields.refuse(
                    "linux.intelRdt",
                    modules.resctrl()
                            ? "Intel RDT is not applied by isola; expected no intelRdt object"
                            : "this host has no Intel RDT (no resctrl file system in /proc/filesystems), as runc also refuses;"
                                    + " expected no intelRdt object");
        }
    }

    /** {@code process.apparmorProfile}, of a config.json's process or an exec's process.json. */
    static void appArmor(ConfigFields fields, boolean enabled, Security.Builder security) {
        String field = "process.apparmorProfile";
        String value = fields.text(field);
        if (value == null || value.isEmpty()) {
            return;
        }
        try {
            security.appArmorProfile(value);
        } catch (IllegalArgumentException e) {
            throw ConfigFields.refuse(field, e.getMessage());
        }
        if (!enabled && !value.equals(AppArmorOnExec.UNCONFINED)) {
            throw ConfigFields.refuse(
                    field,
                    "\"" + value + "\": this host does not enable AppArmor (" + AppArmorOnExec.Host.PARAMETER
                            + " is not Y), so nothing would confine the process, as runc also refuses;"
                            + " expected it absent or unconfined");
        }
    }

    /** An SELinux label, {@code process.selinuxLabel} of a config.json or an exec's process.json, or {@code linux.mountLabel}. */
    static void selinux(ConfigFields fields, String field, boolean enabled, Consumer<String> apply) {
        String value = fields.text(field);
        if (value == null || value.isEmpty()) {
            return;
        }
        if (!enabled) {
            LOG.debug(
                    "config.json: {} \"{}\": this host does not enable SELinux ({} is missing); ignored, as runc ignores it",
                    field,
                    value,
                    Selinux.ENFORCE);
            return;
        }
        try {
            apply.accept(value);
        } catch (IllegalArgumentException e) {
            throw ConfigFields.refuse(field, e.getMessage());
        }
    }
}
