package io.isola.launcher.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.isola.internal.nativ.DirectoryFd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A tmpfs of a few mebibytes mounted on a test's directory (the host's mount namespace, as root
 * runs the tests), for what would fill a file system: it fills this one instead of the machine's
 * disk, even on the old code a test is first run against. Unmounted on close.
 */
final class SmallTmpfs implements AutoCloseable {

    private final Path path;

    private SmallTmpfs(Path path) {
        this.path = path;
    }

    static SmallTmpfs mount(Path dir, int mebibytes) throws IOException, InterruptedException {
        return mount(dir, "size=" + mebibytes + "m");
    }

    /** One that holds at most {@code inodes} files (its root directory is one of them). */
    static SmallTmpfs mount(Path dir, int mebibytes, int inodes) throws IOException, InterruptedException {
        return mount(dir, "size=" + mebibytes + "m,nr_inodes=" + inodes);
    }

    private static SmallTmpfs mount(Path dir, String options) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        assertEquals(0, run("mount", "-t", "tmpfs", "-o", options + ",mode=0700", "isola-test", dir.toString()));
        return new SmallTmpfs(dir);
    }

    Path path() {
        return path;
    }

    /** The bytes still free on it. */
    long free() throws IOException {
        return Files.getFileStore(path).getUsableSpace();
    }

    /** The files (inodes) it may still hold. */
    long freeInodes() throws IOException {
        try (DirectoryFd dir = DirectoryFd.open(path)) {
            return dir.space().freeInodes();
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        assertEquals(0, run("umount", "-l", path.toString()));
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).inheritIO().start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }
}
