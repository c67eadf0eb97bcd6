package io.isola.launcher.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layers written by an attacker, extracted as an import or a commit extracts them: each tries to
 * make the extractor change, replace or link a file outside the layer (a "host" file and
 * directory in the test's own temporary directory). The host must be untouched (content, mode,
 * owner, modification time) and the layer either refused, naming the entry, or kept inside.
 */
class HostileLayerTest {

    private static final long LONG_AGO = 0L;

    @TempDir
    Path tmp;

    private Path hostFile;
    private Path hostDir;
    private Path layer;
    private Map<String, Object> fileBefore;
    private Map<String, Object> dirBefore;

    @BeforeEach
    void host() throws IOException {
        hostDir = Files.createDirectories(tmp.resolve("host/etc"));
        hostFile = Files.writeString(hostDir.resolve("passwd"), "root:x:0:0::/root:/bin/sh\n");
        Files.setAttribute(hostFile, "unix:mode", 0644);
        Files.setAttribute(hostDir, "unix:mode", 0755);
        fileBefore = snapshot(hostFile);
        dirBefore = snapshot(hostDir);
        layer = Files.createDirectories(tmp.resolve("store/layer"));
    }

    @Test
    void aDirectoryReplacedByALinkToAHostFileKeepsTheHostFilesModeAndTime() throws Exception {
        byte[] tar = tar(dir("d", 06777), link("d", hostFile.toString()));

        extractOrRefuse(tar, "d");

        assertHostUntouched();
    }

    @Test
    void aDirectoryReplacedByALinkToAHostDirectoryKeepsTheHostDirectorysModeAndTime() throws Exception {
        byte[] tar = tar(dir("d", 06777), link("d", hostDir.toString()));

        extractOrRefuse(tar, "d");

        assertHostUntouched();
    }

    @Test
    void aFileWrittenBelowALinkToTheHostIsRefused() throws Exception {
        byte[] tar = tar(link("a", hostDir.toString()), file("a/passwd", 04755, "owned\n"), file("a/new", 0644, "x"));

        String message = refused(tar);

        assertTrue(message.contains("\"a/passwd\""), message);
        assertHostUntouched();
        assertFalse(Files.exists(hostDir.resolve("new")));
    }

    @Test
    void aRelativeLinkUpAndOutIsRefusedForEveryKindOfEntry() throws Exception {
        for (TarArchiveEntry[] entries : List.of(
                new TarArchiveEntry[] {link("up", "../../host/etc"), file("up/passwd", 0644, "owned\n")},
                new TarArchiveEntry[] {link("up", "../../host/etc"), dir("up/sub", 0777)},
                new TarArchiveEntry[] {link("up", "../../host/etc"), file("up/.wh.passwd", 0644, "")},
                new TarArchiveEntry[] {link("up", "../../host/etc"), file("up/.wh..wh..opq", 0644, "")},
                new TarArchiveEntry[] {link("up", "../../host/etc"), link("up/passwd", "/nowhere")})) {
            clearLayer();
            refused(tar(entries));
            assertHostUntouched();
        }
    }

    @Test
    void hardLinksToHostFilesAreRefused() throws Exception {
        for (String target : List.of(hostFile.toString(), "../../host/etc/passwd", "../" + hostFile)) {
            clearLayer();
            String message = refused(tar(hardLink("shadow", target)));
            assertTrue(message.contains("\"shadow\""), message);
            assertHostUntouched();
        }
        clearLayer();
        String message = refused(tar(link("l", hostFile.toString()), hardLink("h", "l")));
        assertTrue(message.contains("h"), message);
        assertHostUntouched();
    }

    @Test
    void namesThatLeaveTheLayerAreRefused() throws Exception {
        for (String name : List.of("../passwd", "a/../../passwd", hostFile.toString(), "/etc/x")) {
            clearLayer();
            refused(tar(file(name, 0644, "owned\n")));
            assertHostUntouched();
        }
    }

    @Test
    void aWhiteoutOfALinkRemovesTheLinkNotItsTarget() throws Exception {
        LayerExtractor.extract(
                new ByteArrayInputStream(tar(link("x", hostFile.toString()), file(".wh.x", 0644, ""))), layer, "test");

        assertHostUntouched();
        assertEquals(
                0020000,
                (Integer) Files.getAttribute(layer.resolve("x"), "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000,
                "x is a whiteout now, a character device");
    }

    @Test
    void deviceNodesAreRefused() throws Exception {
        TarArchiveEntry device = new TarArchiveEntry("mem", TarArchiveEntry.LF_CHR);
        device.setDevMajor(1);
        device.setDevMinor(1);
        String message = refused(tar(device));
        assertTrue(message.contains("\"mem\""), message);
    }

    @Test
    void removingALayerWithLinksOutRemovesTheLinksOnly() throws Exception {
        LayerExtractor.extract(
                new ByteArrayInputStream(
                        tar(dir("d", 0755), link("d/host", hostDir.toString()), link("f", hostFile.toString()))),
                layer,
                "test");

        ImageStore.deleteTree(layer);

        assertFalse(Files.exists(layer, LinkOption.NOFOLLOW_LINKS));
        assertHostUntouched();
    }

    // the attempts

    private void extractOrRefuse(byte[] tar, String entry) {
        try {
            LayerExtractor.extract(new ByteArrayInputStream(tar), layer, "test");
        } catch (IOException e) {
            assertTrue(e.getMessage().contains(entry), e.getMessage());
        }
    }

    private String refused(byte[] tar) {
        return assertThrows(
                        IOException.class, () -> LayerExtractor.extract(new ByteArrayInputStream(tar), layer, "test"))
                .getMessage();
    }

    private void clearLayer() throws IOException {
        ImageStore.deleteTree(layer);
        Files.createDirectories(layer);
    }

    private void assertHostUntouched() throws IOException {
        assertEquals(fileBefore, snapshot(hostFile), "the host file");
        assertEquals(dirBefore, snapshot(hostDir), "the host directory");
        try (Stream<Path> list = Files.list(hostDir)) {
            assertEquals(List.of(hostFile), list.toList(), "the host directory's entries");
        }
    }

    private static Map<String, Object> snapshot(Path path) throws IOException {
        Map<String, Object> unix =
                Files.readAttributes(path, "unix:mode,uid,gid,lastModifiedTime,ino,nlink", LinkOption.NOFOLLOW_LINKS);
        HashMap<String, Object> copy = new HashMap<>(unix);
        copy.put("lastModifiedTime", ((FileTime) unix.get("lastModifiedTime")).toMillis());
        if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            copy.put("content", Files.readString(path));
        }
        return copy;
    }

    // a layer's entries

    static byte[] tar(TarArchiveEntry... entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (TarArchiveEntry entry : entries) {
                tar.putArchiveEntry(entry);
                if (entry.getSize() > 0) {
                    tar.write((byte[]) CONTENT.get(entry));
                }
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static final Map<TarArchiveEntry, byte[]> CONTENT = new IdentityHashMap<>();

    static TarArchiveEntry dir(String name, int mode) {
        TarArchiveEntry entry = new TarArchiveEntry(name + "/", TarArchiveEntry.LF_DIR, true);
        entry.setMode(040000 | mode);
        entry.setModTime(LONG_AGO);
        entry.setUserId(4242);
        return entry;
    }

    static TarArchiveEntry file(String name, int mode, String content) {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarArchiveEntry.LF_NORMAL, true);
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        entry.setMode(0100000 | mode);
        entry.setSize(bytes.length);
        entry.setModTime(LONG_AGO);
        entry.setUserId(4242);
        CONTENT.put(entry, bytes);
        return entry;
    }

    static TarArchiveEntry link(String name, String target) {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK, true);
        entry.setLinkName(target);
        entry.setModTime(LONG_AGO);
        return entry;
    }

    static TarArchiveEntry hardLink(String name, String target) {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarArchiveEntry.LF_LINK, true);
        entry.setLinkName(target);
        entry.setModTime(LONG_AGO);
        return entry;
    }
}
