package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.launcher.image.ImageArchives;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container that fills its writable layer with links to host paths (a file, a directory, and
 * its /dir, an image directory, replaced by a link to a host directory), then export, commit, a
 * run of the commit and rm, through the CLI: the archives hold links, never the host's files, and
 * the host files keep their content, mode, owner and modification time (issue 23, escape 3).
 */
class ContainerLinksIT {

    private static final String IMAGE = "test/busybox:1";

    @TempDir
    Path tmp;

    private Path state;
    private Path host;
    private Map<String, Object> hostFileBefore;
    private Map<String, Object> hostDirBefore;
    private String lastErr = "";

    @BeforeEach
    void importImage() throws Exception {
        RootOnly.require();
        assumeTrue(
                Files.isRegularFile(ImageArchives.BUSYBOX),
                "no " + ImageArchives.BUSYBOX + " (install busybox-static)");
        state = tmp.resolve("state");
        host = Files.createDirectories(tmp.resolve("host"));
        Files.writeString(host.resolve("shadow"), "host secret\n");
        Files.setAttribute(host.resolve("shadow"), "unix:mode", 0640);
        hostFileBefore = snapshot(host.resolve("shadow"));
        hostDirBefore = snapshot(host);
        System.setProperty("isola.root", tmp.resolve("store").toString());
        assertEquals(
                0,
                isola(
                        "image",
                        "import",
                        ImageArchives.dockerSave(tmp.resolve("image.tar"), IMAGE, false)
                                .toString()),
                () -> lastErr);
    }

    @AfterEach
    void clear() {
        System.clearProperty("isola.root");
    }

    @Test
    void linksToHostPathsInAWritableLayerAreArchivedAndCommittedAsLinksAndRemovedAlone() throws Exception {
        assertEquals(
                0,
                isola(
                        "run",
                        "--name",
                        "links",
                        IMAGE,
                        "sh",
                        "-c",
                        "busybox ln -s " + host + " /hostdir"
                                + " && busybox ln -s " + host.resolve("shadow")
                                + " /hostfile && rm -r /dir && busybox ln -s " + host + " /dir"
                                + " && busybox mkdir -p /d && busybox chmod 6777 /d"),
                () -> lastErr);

        Path exported = tmp.resolve("export.tar");
        assertEquals(0, isola("export", "-o", exported.toString(), "links"), () -> lastErr);
        assertEquals(0, isola("commit", "links", "test/links:1"), () -> lastErr);
        assertEquals(0, isola("run", "--rm", "test/links:1", "sh", "-c", "busybox chmod 777 /d"), () -> lastErr);
        assertEquals(0, isola("rm", "links"), () -> lastErr);
        assertEquals(0, isola("image", "rm", "test/links:1"), () -> lastErr);

        Map<String, TarArchiveEntry> entries = entries(exported);
        for (String link : List.of("hostdir", "hostfile", "dir")) {
            assertTrue(entries.get(link).isSymbolicLink(), link + " is archived as a link");
        }
        assertFalse(
                entries.keySet().stream().anyMatch(name -> name.startsWith("dir/") || name.startsWith("hostdir/")),
                entries.keySet()::toString);
        assertFalse(new String(Files.readAllBytes(exported), StandardCharsets.ISO_8859_1).contains("host secret"));
        assertEquals(hostFileBefore, snapshot(host.resolve("shadow")), "the host file");
        assertEquals(hostDirBefore, snapshot(host), "the host directory");
    }

    private static Map<String, TarArchiveEntry> entries(Path tar) throws IOException {
        Map<String, TarArchiveEntry> entries = new HashMap<>();
        try (InputStream file = Files.newInputStream(tar);
                TarArchiveInputStream in = new TarArchiveInputStream(file)) {
            TarArchiveEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                entries.put(entry.getName().replaceFirst("/$", ""), entry);
            }
        }
        return entries;
    }

    private static Map<String, Object> snapshot(Path path) throws IOException {
        Map<String, Object> copy = new HashMap<>(
                Files.readAttributes(path, "unix:mode,uid,gid,lastModifiedTime,ino,nlink", LinkOption.NOFOLLOW_LINKS));
        copy.put("lastModifiedTime", copy.get("lastModifiedTime").toString());
        if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            copy.put("content", Files.readString(path));
        } else {
            try (var list = Files.list(path)) {
                copy.put("entries", list.map(Path::toString).sorted().toList());
            }
        }
        return copy;
    }

    private int isola(String... args) {
        StringWriter o = new StringWriter(), e = new StringWriter();
        List<String> all = new ArrayList<>(List.of("--root", state.toString()));
        all.addAll(List.of(args));
        int code = Main.execute(all.toArray(String[]::new), new PrintWriter(o, true), new PrintWriter(e, true));
        lastErr = e.toString();
        return code;
    }
}
