package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.lifecycle.MonitorProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a resident server starts with when a command starts it: the server serves every later
 * command, so it must not keep its first caller's environment, umask or no_new_privs (an engine's
 * shim or conmon, a sandboxed script).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ServerStartIT {

    @TempDir
    Path tmp;

    private Path home;
    private Path serverDir;
    private Path root;

    @BeforeEach
    void setUp() throws IOException {
        RootOnly.require();
        home = Files.createDirectory(tmp.resolve("home"));
        Files.createSymbolicLink(
                home.resolve("bundles"),
                Path.of(System.getProperty("isola.bundles")).toAbsolutePath());
        Path conf = Files.createDirectory(home.resolve("conf"));
        try (Stream<Path> files = Files.list(Path.of("../dist/src/main/dist/conf"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".cfg")).toList()) {
                Files.copy(file, conf.resolve(file.getFileName()));
            }
        }
        serverDir = tmp.resolve("srv");
        root = Files.createDirectory(tmp.resolve("state"));
    }

    @AfterEach
    void tearDown() throws IOException {
        ResidentServers.stopAll(serverDir);
        Files.deleteIfExists(home.resolve("bundles")); // the link: @TempDir warns of one to outside
    }

    @Test
    void aServerKeepsNeitherItsFirstCallersEnvironmentNorItsUmask() throws Exception {
        Process client = client("umask 077; exec \"$@\"");
        assertEquals(0, client.exitValue(), read(client));

        List<ProcessHandle> servers = ResidentServers.running(serverDir);
        assertEquals(1, servers.size(), read(client));
        long pid = servers.get(0).pid();
        String environ = Files.readString(Path.of("/proc/" + pid + "/environ"), StandardCharsets.ISO_8859_1);
        assertFalse(environ.contains("SECRET_TOKEN"), "the server kept its caller's variable: " + environ);
        assertTrue(environ.contains("ISOLA_SERVER_IDLE=600"), "isola's own variables are the server's: " + environ);
        assertTrue(
                Files.readAllLines(Path.of("/proc/" + pid + "/status")).contains("Umask:\t0022"),
                "the server kept its caller's umask 077");
    }

    @Test
    void aCallerWithNoNewPrivsStartsNoServerAndRunsItsCommandItself() throws Exception {
        Process client = client("exec setpriv --no-new-privs \"$@\"");
        assertEquals(0, client.exitValue(), read(client));
        assertEquals(List.of(), ResidentServers.running(serverDir), "a no_new_privs caller started a server");
    }

    /** The JVM client's {@code run -- true}, through a shell that sets up the caller ({@code prologue}). */
    private Process client(String prologue) throws Exception {
        List<String> server = new ArrayList<>(MonitorProcess.javaCommand(Main.class.getName(), List.of()));
        server.add(1, "-Disola.home=" + home);
        List<String> client = new ArrayList<>(MonitorProcess.javaCommand(
                "io.isola.launcher.client.Client", List.of("--root", root.toString(), "run", "--", "true")));
        client.add(1, "-Disola.home=" + home);
        client.add(1, "-Disola.server.dir=" + serverDir);
        client.add(1, "-Disola.server.command=" + String.join(" ", server));
        client.addAll(0, List.of("bash", "-c", prologue, "bash"));
        ProcessBuilder builder = new ProcessBuilder(client).redirectErrorStream(true);
        builder.environment().put("ISOLA_SERVER_IDLE", "600"); // stopped after the test
        builder.environment().put("SECRET_TOKEN", "hunter2"); // an engine's credential, say
        builder.environment().remove("ISOLA_SERVER");
        Process process = builder.start();
        process.getOutputStream().close();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the client did not exit");
        return process;
    }

    private static String read(Process process) throws IOException {
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
