package io.isola.launcher.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.Capability;
import io.isola.api.ContainerSpec;
import io.isola.api.Security;
import io.isola.api.Ulimit;
import io.isola.launcher.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.ParseResult;

/** docker run's lock-down options become the spec's {@link Security}; nothing is started. */
class SecurityOptionsTest {

    @TempDir
    Path dir;

    private static Security security(String... args) {
        StringWriter sink = new StringWriter();
        ParseResult parsed =
                Main.commandLine(new PrintWriter(sink), new PrintWriter(sink)).parseArgs(args);
        ContainerSpec spec = ((RunCommand) parsed.subcommand().commandSpec().userObject()).spec();
        return spec.extension(Security.class).orElseThrow();
    }

    @Test
    void withoutOptionsTheDefaultLockDown() {
        Security security = security("run", "true");
        assertEquals(Security.DEFAULT_CAPABILITIES, security.capabilities());
        assertTrue(security.noNewPrivileges());
        assertEquals(Security.Seccomp.DEFAULT, security.seccomp());
        assertFalse(security.privileged());
    }

    @Test
    void capabilitiesAreAddedAndDroppedAsDockerDoes() {
        Set<Capability> expected = EnumSet.copyOf(Security.DEFAULT_CAPABILITIES);
        expected.add(Capability.NET_ADMIN);
        expected.add(Capability.SYS_TIME);
        expected.remove(Capability.NET_RAW);
        assertEquals(
                expected,
                security("run", "--cap-add", "NET_ADMIN,cap_sys_time", "--cap-drop", "CAP_NET_RAW", "true")
                        .capabilities());
        assertEquals(
                Set.of(Capability.CHOWN),
                security("run", "--cap-drop", "ALL", "--cap-add", "CHOWN", "true")
                        .capabilities());
        assertEquals(
                EnumSet.allOf(Capability.class),
                security("run", "--cap-add", "ALL", "true").capabilities());
    }

    @Test
    void privilegedSecurityOptsAndUlimits() throws Exception {
        Security privileged = security("run", "--privileged", "true");
        assertTrue(privileged.privileged());
        assertEquals(Security.Seccomp.UNCONFINED, privileged.seccomp());

        Path profile = Files.writeString(dir.resolve("p.json"), "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}");
        Security opts = security(
                "run",
                "--security-opt",
                "no-new-privileges=false",
                "--security-opt",
                "seccomp=" + profile,
                "--ulimit",
                "nofile=10:20",
                "--ulimit",
                "core=0",
                "true");
        assertFalse(opts.noNewPrivileges());
        assertEquals(Security.Seccomp.PROFILE, opts.seccomp());
        assertEquals(profile.toString(), opts.profile().orElseThrow().source());
        assertEquals(new Ulimit("nofile", 10, 20), opts.ulimits().get("nofile"));
        assertEquals(new Ulimit("core", 0, 0), opts.ulimits().get("core"));
        assertEquals(
                Security.Seccomp.UNCONFINED,
                security("run", "--security-opt", "seccomp=unconfined", "true").seccomp());
    }

    /** Docker's apparmor=PROFILE, and its old colon form; isola refused both as unknown. */
    @Test
    void anAppArmorProfileAsDockerNamesIt() {
        assertEquals(
                "docker-default",
                security("run", "--security-opt", "apparmor=docker-default", "true")
                        .appArmorProfile()
                        .orElseThrow());
        assertEquals(
                "unconfined",
                security("run", "--security-opt", "apparmor:unconfined", "true")
                        .appArmorProfile()
                        .orElseThrow());
        assertTrue(security("run", "true").appArmorProfile().isEmpty());
    }

    /**
     * Docker's label=...: the host policy's container contexts (Debian's lxc_contexts, or the same
     * defaults without one) with the parts named; applied only where SELinux is enabled. isola
     * refused label= as unknown.
     */
    @Test
    void selinuxLabelsAsDockerEditsThem() {
        Security typed = security(
                "run", "--security-opt", "label=type:svirt_t", "--security-opt", "label=level:s0:c1,c2", "true");
        assertEquals("system_u:system_r:svirt_t:s0:c1,c2", typed.selinuxLabel().orElseThrow());
        assertEquals(
                "system_u:object_r:container_file_t:s0:c1,c2",
                typed.mountLabel().orElseThrow());
        Security filetype = security("run", "--security-opt", "label=filetype:svirt_image_t", "true");
        assertEquals("system_u:object_r:svirt_image_t:s0", filetype.mountLabel().orElseThrow());
        Security disabled =
                security("run", "--security-opt", "label=type:svirt_t", "--security-opt", "label=disable", "true");
        assertTrue(disabled.selinuxLabel().isEmpty() && disabled.mountLabel().isEmpty());
        assertTrue(security("run", "true").selinuxLabel().isEmpty());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> Security.builder().securityOpt("label=kind:x"));
        assertTrue(
                e.getMessage().startsWith("security option \"label=kind:x\": expected label=disable"), e.getMessage());
    }
}
