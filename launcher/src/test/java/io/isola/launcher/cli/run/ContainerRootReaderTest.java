package io.isola.launcher.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.ProcessUser;
import io.isola.internal.nativ.DirectoryFd;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * exec --user reads a running container's /etc/passwd and /etc/group while the container runs:
 * whatever it does to them meanwhile, the read stays inside its root, and neither a fifo nor a
 * huge file holds the runtime. The root here is a directory that a thread of the test changes as
 * a container's process would change its own root.
 */
class ContainerRootReaderTest {

    @TempDir
    Path tmp;

    private Path root;

    private ContainerRootReader reader() throws IOException {
        return new ContainerRootReader(DirectoryFd.openRoot(root));
    }

    private void root(String passwd) throws IOException {
        root = Files.createDirectories(tmp.resolve("root"));
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), passwd);
    }

    /**
     * The container swaps its /etc for a link to a host directory, back and forth. A lookup that
     * checks each component through paths, then opens, can be raced between the two: the kernel
     * then follows the container's link out of the root, on the host (where an absolute link
     * starts at the host's /), and a host link found there decides which file is read. Here the
     * host directory holds a link to a passwd the container planted, which its own /etc/passwd is
     * not: reading the planted one is the proof that the lookup went outside.
     */
    @Test
    void aDirectorySwappedForALinkToTheHostWhileItIsReadNeverLeadsTheReadOutOfTheRoot() throws Exception {
        root("root:x:0:0:root:/root:/bin/sh\n");
        Files.createDirectories(root.resolve("planted"));
        Files.writeString(root.resolve("planted/passwd"), "probe:x:4242:4242::/:/bin/sh\n");
        Path host = Files.createDirectories(tmp.resolve("host-etc"));
        Files.createSymbolicLink(host.resolve("passwd"), Path.of("/planted/passwd"));
        Files.createSymbolicLink(root.resolve("etc.link"), host);

        AtomicBoolean stop = new AtomicBoolean();
        Thread container = new Thread(() -> {
            try {
                for (int i = 0; i < 5_000_000 && !stop.get(); i++) {
                    move("etc", "etc.dir");
                    move("etc.link", "etc");
                    move("etc", "etc.link");
                    move("etc.dir", "etc");
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        container.start();
        Optional<String> steered = Optional.empty();
        int reads = 0;
        try (ContainerRootReader files = reader()) {
            for (; reads < 10_000 && steered.isEmpty(); reads++) {
                try {
                    steered = files.read("/etc/passwd").filter(text -> text.startsWith("probe"));
                } catch (IOException e) {
                    // a read the swap made fail: the container's own doing
                }
            }
        } finally {
            stop.set(true);
            container.join();
        }
        assertEquals(Optional.empty(), steered, "a host link chose the file read, at read " + reads);
    }

    private void move(String from, String to) throws IOException {
        Files.move(root.resolve(from), root.resolve(to), StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void linksAreFollowedInsideTheRootAsTheContainerFollowsThem() throws Exception {
        root("inside:x:7:7::/:/bin/sh\n");
        Files.move(root.resolve("etc/passwd"), root.resolve("etc/passwd.real"));
        // absolute and climbing: the host's /etc/passwd names root, the container's only "inside"
        Files.createSymbolicLink(root.resolve("etc/passwd"), Path.of("/../../../etc/passwd.real"));
        Files.createSymbolicLink(root.resolve("etc/group"), Path.of("/etc/shadow"));
        try (ContainerRootReader files = reader()) {
            ContainerUsers users = new ContainerUsers(files);
            assertEquals(new ProcessUser(7, 7, List.of(7L)), users.resolve("inside", List.of()));
            assertThrows(IllegalArgumentException.class, () -> users.resolve("root", List.of()));
            assertEquals(Optional.empty(), files.read("/etc/group"), "the container has no /etc/shadow");
        }
    }

    @Test
    void aFifoIsRefusedWithoutWaitingAndAHugeFileWithoutReadingIt() throws Exception {
        root("");
        Files.delete(root.resolve("etc/passwd"));
        assertEquals(
                0,
                new ProcessBuilder("mkfifo", root.resolve("etc/passwd").toString())
                        .start()
                        .waitFor());
        try (RandomAccessFile huge =
                new RandomAccessFile(root.resolve("etc/group").toFile(), "rw")) {
            huge.setLength(10L << 30); // 10 GiB, sparse: the container's `truncate -s 10G`
        }
        try (ContainerRootReader files = reader()) {
            ContainerUsers users = new ContainerUsers(files);
            String fifo = assertTimeoutPreemptively(
                            Duration.ofSeconds(10),
                            () -> assertThrows(IllegalArgumentException.class, () -> users.resolve("app", List.of())))
                    .getMessage();
            assertEquals(
                    "--user \"app\": cannot read the container's /etc/passwd: /etc/passwd is not a regular file (a fifo)",
                    fifo);
            Files.delete(root.resolve("etc/passwd"));
            Files.writeString(root.resolve("etc/passwd"), "app:x:1000:1000::/:/bin/sh\n");
            String huge = assertThrows(IllegalArgumentException.class, () -> users.resolve("app", List.of()))
                    .getMessage();
            assertEquals(
                    "--user \"app\": cannot read the container's /etc/group: /etc/group is 10737418240 bytes;"
                            + " at most " + RootFileReader.MAX_BYTES + " bytes are read",
                    huge);
        }
    }

    @Test
    void aDirectoryIsNotAFileAndAMissingFileIsNone() throws Exception {
        root("app:x:1000:1000::/home/app:/bin/sh\n");
        try (ContainerRootReader files = reader()) {
            assertEquals(Optional.empty(), files.read("/etc/group"));
            assertEquals(Optional.empty(), files.read("/nowhere/at/all"));
            assertTrue(assertThrows(IOException.class, () -> files.read("/etc"))
                    .getMessage()
                    .contains("not a regular file (a directory)"));
            assertFalse(new ContainerUsers(files).home(1000).equals("/"));
        }
    }
}
