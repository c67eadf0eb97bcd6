package io.isola.ns.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --net container:X} copies X's /etc/hosts and resolv.conf, files that X's processes can
 * write through their bind mount: X can make its /etc/hosts a sparse file of any size at no cost.
 */
class EtcFilesCopyTest {

    @TempDir
    Path tmp;

    @Test
    void aJoinedContainersHugeHostsFileIsRefusedNotReadIntoTheHeap() throws IOException {
        Path other = Files.createDirectory(tmp.resolve("other"));
        Path own = Files.createDirectory(tmp.resolve("own"));
        try (RandomAccessFile hosts =
                new RandomAccessFile(other.resolve("hosts").toFile(), "rw")) {
            hosts.setLength(3L << 30); // 3 GiB of holes: the old copy read them whole (an Error, not an exception)
        }
        Files.writeString(other.resolve("resolv.conf"), "nameserver 192.0.2.1\n");

        IOException refused = assertThrows(IOException.class, () -> new EtcFiles(own, true).copyFrom(other, "joiner"));
        assertTrue(refused.getMessage().contains(other.resolve("hosts").toString()), refused.getMessage());
        assertTrue(refused.getMessage().contains("16 MiB"), refused.getMessage());
        assertTrue(
                Files.notExists(own.resolve("hosts")) || Files.size(own.resolve("hosts")) == 0, "the copy was written");
    }

    @Test
    void aJoinedContainersFilesAreCopied() throws IOException {
        Path other = Files.createDirectory(tmp.resolve("other"));
        Path own = Files.createDirectory(tmp.resolve("own"));
        Files.writeString(other.resolve("hosts"), "127.0.0.1\tlocalhost\n");
        new EtcFiles(own, true).copyFrom(other, "joiner");
        assertEquals("127.0.0.1\tlocalhost\n", Files.readString(own.resolve("hosts"), StandardCharsets.UTF_8));
        assertEquals("", Files.readString(own.resolve("resolv.conf"), StandardCharsets.UTF_8));
        assertEquals("joiner\n", Files.readString(own.resolve("hostname"), StandardCharsets.UTF_8));
    }
}
