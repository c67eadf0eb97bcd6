package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Escape 2 of issue 23 (runc's CVE-2019-5736 pattern): a process that isola creates is a clone of
 * its JVM until it calls execve; if it were dumpable, a container process that sees it could open
 * its {@code /proc/PID/exe}, the host's java binary, and rewrite the JDK once no JVM runs it. A
 * scanner (a small C program, compiled here) reads and opens every {@code /proc/PID/exe} it sees
 * in a tight, bounded loop while the host starts processes it can see: {@code exec} into its
 * container, and {@code run} while it shares the host's PID namespace. No hit may resolve to java.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ExecExposesNoRuntimeIT {

    private static final int STARTS = 30;

    @TempDir
    Path root;

    @TempDir
    Path out;

    private String lastErr = "";

    @BeforeEach
    void requireRootAndGcc() throws Exception {
        RootOnly.require();
        Path source = out.resolve("exe-scanner.c");
        try (InputStream in = ExecExposesNoRuntimeIT.class.getResourceAsStream("exe-scanner.c")) {
            Files.copy(in, source);
        }
        boolean compiled;
        try {
            Process gcc = new ProcessBuilder(
                            "gcc", "-O2", "-o", out.resolve("exe-scanner").toString(), source.toString())
                    .redirectErrorStream(true)
                    .start();
            gcc.getInputStream().transferTo(OutputStream.nullOutputStream());
            compiled = gcc.waitFor(60, TimeUnit.SECONDS) && gcc.exitValue() == 0;
        } catch (IOException e) {
            compiled = false;
        }
        assumeTrue(
                compiled, "the scanner is a C program compiled with gcc, which is not installed (apt-get install gcc)");
    }

    @AfterEach
    void removeEverything() {
        StringWriter ids = new StringWriter();
        Main.execute(
                new String[] {"--root", root.toString(), "ps", "-a", "-q"},
                new PrintWriter(ids, true),
                new PrintWriter(new StringWriter(), true));
        ids.toString().lines().forEach(id -> isola("rm", "-f", id));
    }

    private int isola(String... args) {
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("--root", root.toString()));
        all.addAll(List.of(args));
        int code = Main.execute(
                all.toArray(String[]::new), new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        lastErr = err.toString();
        return code;
    }

    @Test
    void execShowsNoJavaBinaryToTheContainer() throws Exception {
        startScanner("scan-exec", List.of());
        for (int i = 0; i < STARTS; i++) {
            assertEquals(0, isola("exec", "scan-exec", "true"), () -> lastErr);
        }
        assertNoHits("exec");
    }

    @Test
    void runShowsNoJavaBinaryToAContainerInTheHostsPidNamespace() throws Exception {
        startScanner("scan-run", List.of("--no-pid"));
        for (int i = 0; i < STARTS; i++) {
            assertEquals(0, isola("run", "--rm", "--", "true"), () -> lastErr);
        }
        assertNoHits("run");
    }

    /**
     * OCI create: the process waits at its gate, a fork of the JVM with the bundle's capabilities,
     * for as long as the engine likes; a container with the host's PIDs and more capabilities must
     * still not reach its exe or fds.
     */
    @Test
    void aCreatedContainerWaitingAtItsGateShowsNothingOfTheRuntime() throws Exception {
        Path bundle = Files.createDirectories(out.resolve("bundle"));
        Path bin = Files.createDirectories(bundle.resolve("rootfs/bin"));
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
        Files.createSymbolicLink(bin.resolve("sh"), Path.of("busybox"));
        assertEquals(0, isola("spec", "--bundle", bundle.toString()), () -> lastErr);
        Path pidFile = out.resolve("created.pid");
        assertEquals(
                0,
                isola("create", "--bundle", bundle.toString(), "--pid-file", pidFile.toString(), "created"),
                () -> lastErr);
        try {
            String pid = Files.readString(pidFile).strip();
            String probe = "for f in exe root cwd fd/0 fd/1; do readlink /proc/" + pid
                    + "/$f; done > /out/seen 2>/dev/null;" + " test -d /proc/" + pid + " && echo alive > /out/alive";
            assertEquals(
                    0, isola("run", "--rm", "--no-pid", "-v", out + ":/out", "--", "sh", "-c", probe), () -> lastErr);
            assertEquals(
                    "alive", Files.readString(out.resolve("alive")).strip(), "the created process was not visible");
            assertEquals(
                    "", Files.readString(out.resolve("seen")), "links of the created process, a clone of isola's JVM");
        } finally {
            isola("delete", "-f", "created");
        }
    }

    /** The scanner in a detached container; with the host's PIDs it counts only this JVM's children. */
    private void startScanner(String name, List<String> flags) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "-d", "--name", name, "-v", out + ":/out"));
        args.addAll(flags);
        long parent = flags.contains("--no-pid") ? ProcessHandle.current().pid() : 0;
        args.addAll(List.of("--", "/out/exe-scanner", "/out", Long.toString(parent)));
        assertEquals(0, isola(args.toArray(String[]::new)), () -> lastErr);
        for (int i = 0; i < 500 && !Files.exists(out.resolve("ready")); i++) {
            Thread.sleep(20);
        }
        assertTrue(Files.exists(out.resolve("ready")), "the scanner did not start");
    }

    private void assertNoHits(String verb) throws Exception {
        Files.createFile(out.resolve("stop"));
        Path result = out.resolve("result");
        // for the line, not the file: the scanner creates it before it writes to it
        for (int i = 0;
                i < 1500 && !(Files.exists(result) && Files.readString(result).endsWith("\n"));
                i++) {
            Thread.sleep(20);
        }
        String[] counts = Files.readString(result).strip().split(" ", 4);
        assertTrue(Long.parseLong(counts[2]) > STARTS, "the scanner scanned /proc only " + counts[2] + " times");
        assertEquals(
                "0 0",
                counts[0] + " " + counts[1],
                STARTS + " " + verb + "s: a container process resolved (readlink) " + counts[0] + " and opened "
                        + counts[1] + " times the exe of a process of isola's, " + counts[3]);
    }
}
