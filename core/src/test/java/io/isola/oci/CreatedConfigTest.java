package io.isola.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.IsolaException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * start and delete run the hooks and remove the cgroup that create read, from the container's
 * state directory: not what whoever can write the bundle has put in its config.json since.
 */
class CreatedConfigTest {

    @TempDir
    Path stateDir;

    @TempDir
    Path bundle;

    private void config(String hookPath, String cgroupsPath) throws Exception {
        Files.writeString(
                bundle.resolve("config.json"),
                "{\"ociVersion\":\"1.2.0\",\"hooks\":{\"poststop\":[{\"path\":\"" + hookPath
                        + "\",\"args\":[\"hook\",\"-x\"],\"env\":[\"A=1\"],\"timeout\":5}]},"
                        + "\"linux\":{\"cgroupsPath\":\"" + cgroupsPath + "\"}}");
    }

    @Test
    void whatCreateSavedIsWhatStartAndDeleteGetWhateverTheBundleSaysSince() throws Exception {
        config("/usr/bin/created-hook", "/created/path");
        Hook hook = new Hook("/usr/bin/created-hook", List.of("hook", "-x"), List.of("A=1"), 5);
        new CreatedConfig(Map.of("poststop", List.of(hook)), "created/path", null).save(stateDir);

        config("/tmp/edited-hook", "/system.slice");

        CreatedConfig read = CreatedConfig.of(stateDir, bundle.toString(), false);
        assertEquals(List.of(hook), read.hooks("poststop"));
        assertEquals(List.of(), read.hooks("poststart"));
        assertEquals("created/path", read.cgroupPath());
        Files.delete(bundle.resolve("config.json"));
        assertEquals(read, CreatedConfig.of(stateDir, bundle.toString(), false), "the bundle may go");
    }

    /** A container created by a version that saved nothing still starts and deletes, from its bundle. */
    @Test
    void aContainerOfAVersionThatSavedNothingReadsItsBundle() throws Exception {
        config("/usr/bin/hook", "/isola/c1");

        CreatedConfig read = CreatedConfig.of(stateDir, bundle.toString(), false);

        assertEquals(
                List.of(new Hook("/usr/bin/hook", List.of("hook", "-x"), List.of("A=1"), 5)), read.hooks("poststop"));
        assertEquals(ResourcesSection.cgroupPath("/isola/c1", false), read.cgroupPath());
    }

    /**
     * A saved file that cannot be read (truncated) is an error naming it, never no hooks and no
     * filter: an exec would have run without the container's seccomp filter and label.
     */
    @Test
    void aSavedConfigThatCannotBeReadIsAnErrorNotNothing() throws Exception {
        config("/usr/bin/hook", "/isola/c1");
        Files.writeString(stateDir.resolve(CreatedConfig.FILE), "{\"hooks\":{\"poststop\":[{\"pa");

        IsolaException refused =
                assertThrows(IsolaException.class, () -> CreatedConfig.of(stateDir, bundle.toString(), false));

        assertTrue(
                refused.getMessage()
                        .contains(stateDir.resolve(CreatedConfig.FILE).toString()),
                refused.getMessage());
        new CreatedConfig(Map.of(), "saved/path", null).save(Files.createDirectory(stateDir.resolve("next")));
        assertEquals(
                List.of(CreatedConfig.FILE),
                List.of(stateDir.resolve("next").toFile().list()),
                "nothing aside left");
    }
}
