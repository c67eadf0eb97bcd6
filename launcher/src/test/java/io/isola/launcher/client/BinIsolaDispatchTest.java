package io.isola.launcher.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        assertEquals(THIN, mainFor("exec", "-d", "--process=f", "c1"));
    }

    /**
     * What ThinCreate.thin() would run in-process anyway starts Main at once, on the CLI's JDK
     * with a compiler: an exec that is not detached or has a console socket, Docker's create of
     * an image (which may pull it), a create with --debug.
     */
    @Test
    void whatTheThinClientWouldNotTakeRunsMainAtOnce() throws Exception {
        assertEquals(MAIN, mainFor("exec", "--console-socket", "s", "--process", "f", "--detach", "c1"));
        assertEquals(MAIN, mainFor("exec", "--pid-file", "p", "--process", "f", "c1"));
        assertEquals(MAIN, mainFor("create", "--name", "web", "alpine"));
        assertEquals(MAIN, mainFor("--debug", "create", "--bundle", "b", "c1"));
        assertEquals(THIN, mainFor("create", "--bundle", "b", "--pid-file", "p", "c1"));
        assertEquals(THIN, mainFor("create", "-b", "b", "c1"));
    }

    @Test
    void otherExecsAreServedOrRunInProcess() throws Exception {
        assertEquals("io.isola.launcher.client.Client", mainFor("exec", "-it", "c1", "sh", "--process", "x"));
        assertEquals("io.isola.launcher.Main", mainFor("exec", "--detach", "c1", "true"));
        assertEquals("io.isola.launcher.Main", mainFor("exec", "--pid-file", "p", "c1", "true"));
    }

    @Test
    void everyJvmLoadsJffisStubFromTheInstallationNotATemporaryCopy() throws Exception {
        Path jdk17 = standInJdk(tmp.resolve("jdk17"), "17.0.15");
        Path home = installation();
        Files.createDirectories(home.resolve("lib/native"));
        Files.writeString(home.resolve("lib/native/libjffi-1.2.so"), "stand-in", StandardCharsets.UTF_8);
        String stub = "-Djffi.boot.library.path=" + home.resolve("lib/native");
        Map<String, String> env = Map.of("JAVA_HOME", jdk17.toString(), "ISOLA_SERVER", "off");
        assertEquals(List.of(jdk17 + "/bin/java", LATE_C1, stub, MAIN), launch(env, "run", "--rm", "x", "true"));
        assertEquals(List.of(jdk17 + "/bin/java", stub, MAIN), launch(env, "__server", "s"));
    }

    /**
     * A run in bin/isola's own JVM compiles later than C1's default (a third of its CPU was C1
     * compiling methods its start calls a few hundred times); the server, which lives for minutes,
     * and the other verbs keep their own settings.
     */
    @Test
    void onlyARunInProcessCompilesLate() throws Exception {
        Path jdk17 = standInJdk(tmp.resolve("jdk17"), "17.0.15");
        Map<String, String> env = Map.of("JAVA_HOME", jdk17.toString(), "ISOLA_SERVER", "off");
        assertTrue(launch(env, "--debug", "run", "-it", "x", "sh").contains(LATE_C1));
        assertTrue(launch(env, "run", "-d", "x", "sh").contains(LATE_C1));
        assertFalse(launch(env, "ps").contains(LATE_C1));
        assertFalse(launch(env, "__server", "s").contains(LATE_C1));
        assertFalse(launch(env, "pull", "x").contains(LATE_C1));
        assertFalse(launch(env, "exec", "c1", "run").contains(LATE_C1));
    }

    private static final String LATE_C1 = "-XX:CompileThresholdScaling=10";

    /**
     * A foreground run in bin/isola's own JVM (no server) goes to an installed JDK 25 when
     * bin/isola-cds made its AOT cache, whatever the java on PATH; a detached run and a short verb
     * stay on PATH's, and JAVA_HOME is obeyed. Each JVM here is the machine's own, asked for its version only.
     */
    @Test
    void aForegroundRunInProcessGoesToAnInstalledJdk25() throws Exception {
        assumeTrue(
                Files.isExecutable(Path.of(JDK25, "bin/java")), "no JDK 25 at " + JDK25 + ", which bin/isola prefers");
        Map<String, String> env = Map.of("ISOLA_SERVER", "off", "ISOLA_JAVA_OPTS", "-version");
        Path home = installation();
        assertNotEquals(25, majorOf(launch(env, "run", "--rm", "x", "true")), "JDK 25 without its AOT cache");
        // the cache bin/isola-cds made for this installation (a JVM that cannot map it runs without)
        Files.writeString(home.resolve("lib/isola.jsa.home"), home.toRealPath() + "\n", StandardCharsets.UTF_8);
        Files.writeString(home.resolve("lib/isola.aot"), "", StandardCharsets.UTF_8);
        assertEquals(25, majorOf(launch(env, "run", "--rm", "x", "true")));
        assertEquals(25, majorOf(launch(env, "--root", "/tmp/d", "run", "-it", "--rm", "x", "sh")));
        assertNotEquals(25, majorOf(launch(env, "run", "-dit", "x", "sh")));
        assertNotEquals(25, majorOf(launch(env, "run", "--detach", "x", "sh")));
        assertNotEquals(25, majorOf(launch(env, "ps")));
        Path jdk17 = Path.of(JDK17);
        assumeTrue(Files.isExecutable(jdk17.resolve("bin/java")), "no JDK 17 at " + JDK17);
        Map<String, String> byJavaHome =
                Map.of("ISOLA_SERVER", "off", "ISOLA_JAVA_OPTS", "-version", "JAVA_HOME", JDK17);
        assertEquals(17, majorOf(launch(byJavaHome, "run", "--rm", "x", "true")));
    }

    private static final String JDK25 = "/usr/lib/jvm/temurin-25-jdk-amd64";
    private static final String JDK17 = "/usr/lib/jvm/java-17-openjdk-amd64";

    /** The major version that {@code java -version} printed. */
    private static int majorOf(List<String> lines) {
        for (String line : lines) {
            int at = line.indexOf(" version \"");
            if (at >= 0) {
                String version = line.substring(at + " version \"".length());
                return Integer.parseInt(version.split("[.\"]")[0]);
            }
        }
        throw new AssertionError("no version in " + lines);
    }

    private static final String THIN = "io.isola.launcher.client.ThinCreate";
    private static final String MAIN = "io.isola.launcher.Main";

    /** A JDK home whose java prints its own path, where it is told jffi's stub is and the class it is asked for. */
    private static Path standInJdk(Path home, String version) throws IOException {
        Files.createDirectories(home.resolve("lib"));
        Files.writeString(home.resolve("lib/modules"), "", StandardCharsets.UTF_8);
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + version + "\"\n", StandardCharsets.UTF_8);
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(
                java,
                "#!/bin/sh\necho \"$0\"\nfor a; do case $a in -Djffi.boot.library.path=* | -XX:CompileThresholdScaling=*) echo \"$a\" ;;"
                        + " io.isola.*) echo \"$a\";"
                        + " exit 0 ;; esac; done\nexit 3\n",
                StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return home.toRealPath();
    }

    private Path installation() throws IOException {
        Path home = tmp.resolve("home");
        if (!Files.exists(home)) {
            Files.createDirectories(home.resolve("lib"));
            Path script = Files.createDirectories(home.resolve("bin")).resolve("isola");
            Files.copy(Path.of("../dist/src/main/dist/bin/isola"), script, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return home;
    }

    private String mainFor(String... args) throws IOException, InterruptedException {
        Path jdk = standInJdk(tmp.resolve("jdk"), "");
        List<String> lines = launch(Map.of("JAVA_HOME", jdk.toString(), "ISOLA_CLIENT", "jvm"), args);
        return lines.get(lines.size() - 1);
    }

    /** What the stand-in java printed when bin/isola ran {@code args} with {@code env} added (ISOLA_ variables cleared first). */
    private List<String> launch(Map<String, String> env, String... args) throws IOException, InterruptedException {
        Path home = installation();
        List<String> command = new ArrayList<>(List.of(
                home.resolve("bin/isola").toString(),
                "--root",
                tmp.resolve("state").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("ISOLA_") || name.equals("JAVA_HOME"));
        builder.environment().putAll(env);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        assertEquals(0, process.exitValue(), out);
        return List.of(out.split("\n"));
    }
}
