package io.isola.oci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fields that depend on a kernel module of the host's: the security labels ({@code
 * process.apparmorProfile}, {@code process.selinuxLabel}, {@code linux.mountLabel}) and Intel RDT
 * ({@code linux.intelRdt}). As runc: a label for a security module the host does not enable is
 * ignored with a debug line (an engine sends its defaults whatever the host); intelRdt without
 * resctrl is refused, as runc refuses it. Where the module is enabled isola does not apply it yet,
 * and says so rather than run the container without the confinement asked for.
 */
final class HostModulesSection {

    private static final Logger LOG = LoggerFactory.getLogger(HostModulesSection.class);

    /** What the host enables. */
    record Modules(boolean apparmor, boolean selinux, boolean resctrl) {
        static Modules ofThisHost() {
            return new Modules(apparmorEnabled(), Files.exists(Path.of("/sys/fs/selinux/enforce")), resctrlKnown());
        }

        private static boolean apparmorEnabled() {
            try {
                return Files.readString(Path.of("/sys/module/apparmor/parameters/enabled"))
                        .strip()
                        .equals("Y");
            } catch (IOException e) {
                return false; // no module: not built in, nor loaded
            }
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

    static void read(ConfigFields fields, Modules modules) {
        label(fields, "process.apparmorProfile", "AppArmor", modules.apparmor());
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
