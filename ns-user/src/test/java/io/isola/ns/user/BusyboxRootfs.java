package io.isola.ns.user;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/** A minimal root file system: static busybox and the links of the applets the tests use, owned by whoever makes it. */
final class BusyboxRootfs {

    private static final Path BUSYBOX = Path.of("/bin/busybox");
    private static final List<String> APPLETS = List.of("sh", "id", "ls", "stat", "touch", "cat", "mkdir");

    private BusyboxRootfs() {}

    static Path create(Path dir) throws IOException, InterruptedException {
        assumeTrue(
                Files.isExecutable(BUSYBOX) && isStatic(), "a static /bin/busybox is needed (package busybox-static)");
        Files.createDirectories(dir.resolve("bin"));
        Files.createDirectories(dir.resolve("tmp"));
        Files.setPosixFilePermissions(dir.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.copy(BUSYBOX, dir.resolve("bin/busybox"), StandardCopyOption.COPY_ATTRIBUTES);
        for (String applet : APPLETS) {
            Files.createSymbolicLink(dir.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Files.writeString(dir.resolve("image-file"), "from the image\n");
        return dir;
    }

    private static boolean isStatic() throws IOException, InterruptedException {
        Process file = new ProcessBuilder("sh", "-c", "ldd " + BUSYBOX + " 2>&1").start();
        String out = new String(file.getInputStream().readAllBytes(), UTF_8);
        file.waitFor();
        return out.contains("not a dynamic executable") || out.contains("statically linked");
    }
}
