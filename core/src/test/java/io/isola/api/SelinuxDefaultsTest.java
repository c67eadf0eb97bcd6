package io.isola.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contexts Docker's label= options edit, read from a policy's lxc_contexts as go-selinux reads them. */
class SelinuxDefaultsTest {

    @TempDir
    Path etc;

    @Test
    void thePolicyNamedInTheConfigGivesTheContainersContexts() throws Exception {
        Files.writeString(etc.resolve("config"), "SELINUX=permissive\nSELINUXTYPE=targeted\n", StandardCharsets.UTF_8);
        Path contexts = Files.createDirectories(etc.resolve("targeted/contexts"));
        Files.writeString(
                contexts.resolve("lxc_contexts"),
                "process = \"system_u:system_r:container_t:s0\"\nfile = \"system_u:object_r:container_file_t:s0\"\n"
                        + "content = \"system_u:object_r:virt_var_lib_t:s0\"\n",
                StandardCharsets.UTF_8);
        assertEquals(
                new SelinuxDefaults("system_u:system_r:container_t:s0", "system_u:object_r:container_file_t:s0"),
                SelinuxDefaults.of(etc));
    }

    @Test
    void withoutAPolicyTheDefaultsAreDockers() {
        assertEquals(SelinuxDefaults.FALLBACK, SelinuxDefaults.of(etc.resolve("missing")));
    }

    /** A level has colons of its own: it is the rest of the context. */
    @Test
    void onePartIsReplaced() {
        assertEquals(
                "system_u:system_r:svirt_t:s0:c1,c2",
                SelinuxDefaults.with("system_u:system_r:svirt_t:s0", 3, "s0:c1,c2"));
        assertEquals(
                "system_u:system_r:spc_t:s0:c1,c2",
                SelinuxDefaults.with("system_u:system_r:container_t:s0:c1,c2", 2, "spc_t"));
    }
}
