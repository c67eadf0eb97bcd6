package io.isola.ns.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A kernel that forbids user namespaces is named in one line with the fix, against a fake /proc/sys. */
class KernelSupportTest {

    @TempDir
    Path sys;

    private void set(String name, String value) throws Exception {
        Files.createDirectories(sys.resolve(name).getParent());
        Files.writeString(sys.resolve(name), value + "\n");
    }

    @Test
    void disabledUserNamespacesAreNamedWithTheFix() throws Exception {
        set("user/max_user_namespaces", "0");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> KernelSupport.check(sys, false));
        assertEquals(
                "user namespaces are disabled on this host (user.max_user_namespaces is 0); enable them with: "
                        + "sysctl -w user.max_user_namespaces=15000",
                e.getMessage());
    }

    @Test
    void appArmorsRestrictionMattersOnlyToRootless() throws Exception {
        set("user/max_user_namespaces", "15000");
        set("kernel/apparmor_restrict_unprivileged_userns", "1");
        KernelSupport.check(sys, false);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> KernelSupport.check(sys, true));
        assertEquals(
                "AppArmor restricts unprivileged user namespaces on this host (kernel.apparmor_restrict_unprivileged_userns "
                        + "is 1); allow them with: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor profile "
                        + "for java with 'userns,'",
                e.getMessage());
    }

    @Test
    void debiansOldSwitchIsNamedToo() throws Exception {
        set("kernel/unprivileged_userns_clone", "0");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> KernelSupport.check(sys, true));
        assertEquals(true, e.getMessage().contains("sysctl -w kernel.unprivileged_userns_clone=1"), e.getMessage());
    }

    @Test
    void missingFilesMeanNoRestriction() {
        KernelSupport.check(sys, true);
    }
}
