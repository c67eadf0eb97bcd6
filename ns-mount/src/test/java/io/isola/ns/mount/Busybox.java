package io.isola.ns.mount;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A minimal root file system for tests: a static busybox and a link per applet. */
final class Busybox {

    static final Path BINARY = Path.of("/bin/busybox");

    private Busybox() {}

    /** Skips the test, saying why, when the host has no static busybox to build an image from. */
    static void assumeAvailable() {
        assumeTrue(Files.isExecutable(BINARY), "no " + BINARY + " on this host (install busybox-static)");
    }

    /** Lays out {@code root}/bin with busybox and its applets, and the usual empty directories. */
    static Path rootfs(Path root) throws IOException, InterruptedException {
        assumeAvailable();
        Path bin = Files.createDirectories(root.resolve("bin"));
        Files.copy(BINARY, bin.resolve("busybox"));
        for (String applet : applets()) {
            if (!applet.equals("busybox")) {
                Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
            }
        }
        for (String dir : List.of("etc", "tmp", "proc", "sys", "dev")) {
            Files.createDirectories(root.resolve(dir));
        }
        return root;
    }

    private static List<String> applets() throws IOException, InterruptedException {
        Process list = new ProcessBuilder(BINARY.toString(), "--list")
                .redirectErrorStream(true)
                .start();
        String out = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!list.waitFor(10, TimeUnit.SECONDS) || list.exitValue() != 0) {
            throw new IOException("busybox --list failed: " + out);
        }
        return out.lines().map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
