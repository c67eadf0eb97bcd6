package io.isola.launcher.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which Java class bin/isola starts for an exec, whatever the order of its options: the script
 * runs from an installation of its own with a JAVA_HOME whose {@code java} only prints the class
 * it was asked to run. conmon (podman) calls {@code exec --pid-file P --process F --detach ID},
 * containerd's shim {@code exec --process F --detach --pid-file P ID}: both are an engine's exec,
 * which goes to the thin client; an exec without a process file is the served one.
 */
class BinIsolaDispatchTest {

    @TempDir
    Path tmp;

    @Test
    void anEnginesExecGoesToTheThinClientInEitherEnginesOrder() throws Exception {
        assertEquals(THIN, mainFor("exec", "--pid-file", "p", "--process", "f", "--detach", "c1")); // conmon's
        assertEquals(THIN, mainFor("exec", "--process", "f", "--detach", "--pid-file", "p", "c1")); // the shim's
        assertEquals(THIN, mainFor("exec", "--console-socket", "s", "--process", "f", "c1"));
        assertEquals(THIN, mainFor("exec", "-d", "--process=f", "c1"));
    }

    @Test
    void otherExecsAreServedOrRunInProcess() throws Exception {
        assertEquals("io.isola.launcher.client.Client", mainFor("exec", "-it", "c1", "sh", "--process", "x"));
        assertEquals("io.isola.launcher.Main", mainFor("exec", "--detach", "c1", "true"));
        assertEquals("io.isola.launcher.Main", mainFor("exec", "--pid-file", "p", "c1", "true"));
    }

    private static final String THIN = "io.isola.launcher.client.ThinCreate";

    private String mainFor(String... args) throws IOException, InterruptedException {
        Path home = tmp.resolve("home");
        if (!Files.exists(home)) {
            Files.createDirectories(home.resolve("lib"));
            Path script = Files.createDirectories(home.resolve("bin")).resolve("isola");
            Files.copy(Path.of("../dist/src/main/dist/bin/isola"), script, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path java = Files.createDirectories(tmp.resolve("jdk/bin")).resolve("java");
            Files.writeString(
                    java,
                    "#!/bin/sh\nfor a; do case $a in io.isola.*) echo \"$a\"; exit 0 ;; esac; done\nexit 3\n",
                    StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        List<String> command = new ArrayList<>(List.of(
                home.resolve("bin/isola").toString(),
                "--root",
                tmp.resolve("state").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", tmp.resolve("jdk").toString());
        builder.environment().put("ISOLA_CLIENT", "jvm"); // not the shell client: no server is asked
        builder.environment().remove("ISOLA_SERVER");
        builder.environment().remove("ISOLA_THIN_EXEC");
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        assertEquals(0, process.exitValue(), out);
        return out;
    }
}
