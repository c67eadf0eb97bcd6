package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cold {@code isola run} in a JVM of its own, as bin/isola starts one: the framework boots on a
 * thread of its own while the command line is parsed ({@link BootAhead}), with the configuration
 * the user wrote (an isolator it turns off stays off), and nothing of it is left behind, also when
 * the command line is refused before it needed a framework.
 */
class BootAheadIT {

    @TempDir
    Path tmp;

    private Path conf;

    @BeforeEach
    void conf() throws IOException {
        RootOnly.require();
        conf = Files.createDirectories(tmp.resolve("conf"));
        Files.writeString(conf.resolve("isola.properties"), "plugins =\n");
        Files.writeString(conf.resolve("io.isola.ns.uts.cfg"), "enabled = false\n");
        Files.createDirectories(tmp.resolve("java-tmp"));
    }

    @Test
    void aColdRunBootsTheFrameworkBesideTheParseWithTheConfiguredIsolators() throws Exception {
        String host = Files.readSymbolicLink(Path.of("/proc/self/ns/uts")).toString();
        Result run = isola("run", "--rm", "--", "sh", "-c", "test \"$(readlink /proc/self/ns/uts)\" = '" + host + "'");

        assertEquals(0, run.status(), run.stderr()); // uts off, as conf/ says: the host's UTS namespace
        assertTrue(
                run.stderr().lines().anyMatch(l -> l.contains("isola-boot-ahead") && l.endsWith("felix init")),
                "the framework booted on the main thread:\n" + run.stderr());
        assertEquals(List.of(), bundleCaches());
    }

    @Test
    void aRunRefusedBeforeItNeedsTheFrameworkLeavesNoBundleCache() throws Exception {
        Result run = isola("run", "--rm", "--memory", "12q", "--", "true");

        assertEquals(125, run.status(), run.stderr());
        assertTrue(run.stderr().contains("12q"), run.stderr());
        assertEquals(List.of(), bundleCaches());
    }

    private record Result(int status, String stderr) {}

    private Result isola(String... args) throws Exception {
        List<String> all =
                new ArrayList<>(List.of("--root", tmp.resolve("state").toString()));
        all.addAll(List.of(args));
        List<String> command = new ArrayList<>(MonitorProcess.javaCommand(Main.class.getName(), all));
        command.add(1, "-Disola.bundles=" + System.getProperty("isola.bundles"));
        command.add(1, "-Djava.io.tmpdir=" + tmp.resolve("java-tmp"));
        command.add(1, "-Disola.trace.startup=true");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(tmp.resolve("stderr").toFile());
        builder.environment().put("ISOLA_CONF", conf.toString());
        Process process = builder.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("isola " + all + " did not end within 120 s");
        }
        return new Result(process.exitValue(), Files.readString(tmp.resolve("stderr"), StandardCharsets.UTF_8));
    }

    /** Felix's bundle caches left in the JVM's temporary directory (root's runtime directory). */
    private List<String> bundleCaches() throws IOException {
        try (Stream<Path> left = Files.list(tmp.resolve("java-tmp"))) {
            return left.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("isola-felix-"))
                    .toList();
        }
    }
}
