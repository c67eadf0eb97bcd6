package io.isola.oci;

import io.isola.api.Security;
import io.isola.internal.security.AppArmorOnExec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fields that depend on a kernel module of the host's: the security labels ({@code
 * process.apparmorProfile}, {@code process.selinuxLabel}, {@code linux.mountLabel}) and Intel RDT
 * ({@code linux.intelRdt}). The AppArmor profile is applied where AppArmor is enabled and refused
 * where it is not, as runc refuses it (its write to the process's attribute fails there), except
 * {@code unconfined}, which the command is there anyway. An SELinux label for a host without
 * SELinux is ignored with a debug line (an engine sends its defaults whatever the host); where
 * SELinux is enabled isola does not apply labels yet, and says so rather than run the container
 * without the confinement asked for. intelRdt without resctrl is refused, as runc refuses it.
 */
final class HostModulesSection {

    private static final Logger LOG = LoggerFactory.getLogger(HostModulesSection.class);

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
        label(fields, "process.selinuxLabel", "SELinux", modules.selinux());
        label(fields, "linux.mountLabel", "SELinux", modules.selinux());
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

    private static void label(ConfigFields fields, String field, String module, boolean enabled) {
        String value = fields.text(field);
        if (value == null || value.isEmpty()) {
            return;
        }
        if (enabled) {
            throw ConfigFields.refuse(
                    field,
                    "\"" + value + "\": this host enables " + module + ", whose labels isola does"
                            + " not apply yet; expected it absent");
        }
        LOG.debug(
                "config.json: {} \"{}\": this host does not enable {}; ignored, as runc ignores it",
                field,
                value,
                module);
    }
}
