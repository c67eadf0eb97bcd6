package io.isola.oci;

import io.isola.api.Security;
import io.isola.internal.security.AppArmorOnExec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The fields that depend on a kernel module of the host's: the security labels ({@code
 * process.apparmorProfile}, {@code process.selinuxLabel}, {@code linux.mountLabel}) and Intel RDT
 * ({@code linux.intelRdt}). The AppArmor profile is applied where AppArmor is enabled and refused
 * where it is not, as runc refuses it (its write to the process's attribute fails there), except
 * {@code unconfined}, which the command is there anyway. An SELinux label for a host without
 * SELinux is refused, as runc 1.1 refuses it (its validator refuses a process label, its mounts
 * fail with a mount label's {@code context=}; engines send neither to such a host); where SELinux
 * is enabled isola does not apply labels yet, and says so rather than run the container without
 * the confinement asked for. intelRdt without resctrl is refused, as runc refuses it.
 */
final class HostModulesSection {

    /** What the host enables. */
    record Modules(boolean apparmor, boolean selinux, boolean resctrl) {
        static Modules ofThisHost() {
            return new Modules(
                    AppArmorOnExec.Host.ofThisHost().enabled(),
                    Files.exists(Path.of("/sys/fs/selinux/enforce")),
                    resctrlKnown());
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
        label(fields, "process.selinuxLabel", "label the process", modules.selinux());
        label(fields, "linux.mountLabel", "label the mounts (runc's fail with EINVAL)", modules.selinux());
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

    private static void label(ConfigFields fields, String field, String unable, boolean enabled) {
        String value = fields.text(field);
        if (value == null || value.isEmpty()) {
            return;
        }
        if (enabled) {
            throw ConfigFields.refuse(
                    field,
                    "\"" + value + "\": this host enables SELinux, whose labels isola does not apply yet;"
                            + " expected it absent");
        }
        throw ConfigFields.refuse(
                field,
                "\"" + value + "\": this host does not enable SELinux (no /sys/fs/selinux), so nothing would " + unable
                        + ", as runc also refuses; expected it absent");
    }
}
