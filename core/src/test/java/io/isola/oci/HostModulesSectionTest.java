package io.isola.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Labels and Intel RDT against what a host enables, as runc decides. */
class HostModulesSectionTest {

    private static ConfigFields labelled() {
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.putObject("process")
                .put("apparmorProfile", "docker-default")
                .put("selinuxLabel", "system_u:system_r:container_t:s0");
        root.putObject("linux").put("mountLabel", "system_u:object_r:container_file_t:s0");
        return new ConfigFields(root);
    }

    @Test
    void labelsOfModulesTheHostDoesNotEnableAreReadAndIgnored() {
        ConfigFields fields = labelled();
        HostModulesSection.read(fields, new HostModulesSection.Modules(false, false, false));
        assertEquals(List.of(), fields.unsupported());
    }

    @Test
    void aLabelOfAnEnabledModuleIsRefusedRatherThanLeftUnapplied() {
        IllegalArgumentException apparmor = assertThrows(
                IllegalArgumentException.class,
                () -> HostModulesSection.read(labelled(), new HostModulesSection.Modules(true, false, false)));
        assertTrue(
                apparmor.getMessage().contains("process.apparmorProfile")
                        && apparmor.getMessage().contains("AppArmor"),
                apparmor.getMessage());
        IllegalArgumentException selinux = assertThrows(
                IllegalArgumentException.class,
                () -> HostModulesSection.read(labelled(), new HostModulesSection.Modules(false, true, false)));
        assertTrue(selinux.getMessage().contains("process.selinuxLabel"), selinux.getMessage());
    }

    @Test
    void intelRdtWithoutResctrlIsRefusedAsRuncRefusesIt() {
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.putObject("linux").putObject("intelRdt").put("closID", "x");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> HostModulesSection.read(
                        new ConfigFields(root), new HostModulesSection.Modules(false, false, false)));
        assertTrue(e.getMessage().contains("linux.intelRdt") && e.getMessage().contains("resctrl"), e.getMessage());
    }
}
