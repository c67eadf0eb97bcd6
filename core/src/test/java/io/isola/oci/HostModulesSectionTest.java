package io.isola.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isola.api.Security;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Labels and Intel RDT against what a host enables, as runc decides. */
class HostModulesSectionTest {

    private static ConfigFields labelled(String profile) {
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.putObject("process")
                .put("apparmorProfile", profile)
                .put("selinuxLabel", "system_u:system_r:container_t:s0");
        root.putObject("linux").put("mountLabel", "system_u:object_r:container_file_t:s0");
        return new ConfigFields(root);
    }

    private static Security read(ConfigFields fields, HostModulesSection.Modules modules) {
        Security.Builder security = Security.builder();
        HostModulesSection.read(fields, modules, security);
        return security.build();
    }

    @Test
    void selinuxLabelsOfAHostWithoutSelinuxAndUnconfinedAreReadAndIgnored() {
        ConfigFields fields = labelled("unconfined");
        Security security = read(fields, new HostModulesSection.Modules(false, false, false));
        assertEquals(List.of(), fields.unsupported());
        assertEquals(Optional.empty(), security.selinuxLabel());
        assertEquals(Optional.empty(), security.mountLabel());
    }

    /** runc writes the profile whatever the host, and fails there with EINVAL: isola says why, before. */
    @Test
    void aNamedAppArmorProfileIsRefusedWhereAppArmorIsNotEnabled() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> read(labelled("docker-default"), new HostModulesSection.Modules(false, false, false)));
        assertTrue(
                e.getMessage().contains("process.apparmorProfile")
                        && e.getMessage().contains("\"docker-default\": this host does not enable AppArmor"),
                e.getMessage());
    }

    @Test
    void anAppArmorProfileIsTheCommandsWhereAppArmorIsEnabled() {
        ConfigFields fields = labelled("containers-default-0.50.1");
        Security security = read(fields, new HostModulesSection.Modules(true, false, false));
        assertEquals(Optional.of("containers-default-0.50.1"), security.appArmorProfile());
        assertEquals(List.of(), fields.unsupported());
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> read(labelled("two words"), new HostModulesSection.Modules(true, false, false)));
        assertTrue(
                e.getMessage().contains("process.apparmorProfile")
                        && e.getMessage().contains("no spaces"),
                e.getMessage());
    }

    /** Where SELinux is enabled, as runc: the process's context at its execve, the mounts' as their context=. */
    @Test
    void selinuxLabelsOfAnEnabledModuleAreTheContainers() {
        ConfigFields fields = labelled("unconfined");
        Security security = read(fields, new HostModulesSection.Modules(false, true, false));
        assertEquals(List.of(), fields.unsupported());
        assertEquals(Optional.of("system_u:system_r:container_t:s0"), security.selinuxLabel());
        assertEquals(Optional.of("system_u:object_r:container_file_t:s0"), security.mountLabel());
    }

    /** A quote would end the mount's context="..." option, a missing type is no context. */
    @Test
    void aMalformedSelinuxLabelIsRefusedNamingTheField() {
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.putObject("linux").put("mountLabel", "system_u:object_r:x_t:s0\",nodev");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> read(new ConfigFields(root), new HostModulesSection.Modules(false, true, false)));
        assertTrue(
                e.getMessage().contains("linux.mountLabel")
                        && e.getMessage().contains("expected a context user:role:type[:level]"),
                e.getMessage());
        root.putObject("process").put("selinuxLabel", "container_t");
        root.remove("linux");
        e = assertThrows(
                IllegalArgumentException.class,
                () -> read(new ConfigFields(root), new HostModulesSection.Modules(false, true, false)));
        assertTrue(e.getMessage().contains("process.selinuxLabel"), e.getMessage());
    }

    @Test
    void intelRdtWithoutResctrlIsRefusedAsRuncRefusesIt() {
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.putObject("linux").putObject("intelRdt").put("closID", "x");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> read(new ConfigFields(root), new HostModulesSection.Modules(false, false, false)));
        assertTrue(e.getMessage().contains("linux.intelRdt") && e.getMessage().contains("resctrl"), e.getMessage());
    }
}
