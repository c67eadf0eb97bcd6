package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.launcher.image.ImageArchives;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-input corpus for image tarballs, through {@code isola image import}: path traversal,
 * links out of the layer, link loops, oversized headers, truncated gzip, missing layers, device
 * nodes. Each must end with exit status 1 or 125 and one line naming the archive; the store must be
 * exactly as before (an image already in it included), no scratch file may remain, and nothing may
 * appear outside the store.
 */
class ImageArchiveCorpusTest {

    @TempDir
    Path tmp;

    private Path store, outside;
    private String previousRoot;

    @BeforeEach
    void store() throws Exception {
        assumeTrue(
                Files.isRegularFile(ImageArchives.BUSYBOX),
                "no " + ImageArchives.BUSYBOX + " (install busybox-static)");
        store = tmp.resolve("store");
        outside = Files.createDirectories(tmp.resolve("outside")); // where hostile entries aim
        previousRoot = System.setProperty("isola.root", store.toString());
        // an image in the store already: a failed import must leave it alone
        assertEquals(0, importArchive(ImageArchives.dockerSave(tmp.resolve("good.tar"), "good", false)).status);
    }

    @AfterEach
    void restore() {
        if (previousRoot == null) {
            System.clearProperty("isola.root");
        } else {
            System.setProperty("isola.root", previousRoot);
        }
    }

    @Test
    void everyHostileArchiveIsRefusedWithOneLineAndLeavesNothing() throws Exception {
        Map<String, Path> corpus = corpus();
        Map<String, String> before = tree(store);
        List<String> problems = new ArrayList<>();
        int leftBehind = 0;
        for (Map.Entry<String, Path> c : corpus.entrySet()) {
            Result result = importArchive(c.getValue());
            String line = result.err.strip();
            if ((result.status != 125 && result.status != 1)
                    || !line.startsWith("isola: image archive \"" + c.getValue() + "\": ")
                    || line.lines().count() != 1
                    || line.contains("Exception")
                    || line.contains("\tat ")) {
                problems.add(c.getKey() + " -> " + result.status + ": " + result.err);
            }
            Map<String, String> after = tree(store);
            List<String> outsideNow = list(outside);
            if (!after.equals(before) || !outsideNow.isEmpty()) {
                leftBehind++;
                problems.add(c.getKey() + " left something behind: store " + diff(before, after) + ", outside "
                        + outsideNow);
            }
            System.out.println("image corpus: " + c.getKey() + " -> " + result.status + " " + line);
        }
        System.out.printf("bad image archives: %d cases tried, %d left something behind%n", corpus.size(), leftBehind);
        assertTrue(corpus.size() >= 25, "corpus of " + corpus.size());
        assertEquals(List.of(), problems);
    }

    private Map<String, Path> corpus() throws IOException {
        Map<String, Path> cases = new LinkedHashMap<>();
        String out = outside.toString().substring(1); // the outside directory, as a relative name from /
        // --- the archive itself
        cases.put("outer ../ entry", outer("dotdot.tar", file("../outside/escaped", "x")));
        cases.put(
                "outer absolute entry",
                outer("absolute.tar", file(outside.resolve("escaped").toString(), "x")));
        cases.put(
                "outer deep ../ entry",
                outer("deep.tar", file("a/b/../../../../../../../../" + out + "/escaped", "x")));
        cases.put(
                "outer symlink to a host manifest",
                outer(
                        "hostmanifest.tar",
                        symlink(
                                "manifest.json",
                                Files.writeString(outside.resolve("../host-manifest.json"), "[]")
                                        .toString())));
        cases.put(
                "outer symlink then a file through it",
                outer(
                        "outerlink.tar",
                        symlink("blobs", outside.toString()),
                        file("blobs/sha256/" + "0".repeat(64), "x")));
        cases.put("empty file", Files.write(tmp.resolve("empty.tar"), new byte[0]));
        cases.put("not a tar", Files.writeString(tmp.resolve("text.tar"), "hello, I am not a tarball\n".repeat(40)));
        byte[] good = Files.readAllBytes(ImageArchives.dockerSave(tmp.resolve("model.tar"), "model", true));
        cases.put("truncated gzip", Files.write(tmp.resolve("truncated.tar.gz"), Arrays.copyOf(good, good.length / 2)));
        cases.put("gzip magic then garbage", Files.write(tmp.resolve("garbage.tar.gz"), new byte[] {
            0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9
        }));
        cases.put("huge PAX header", outer("pax.tar.gz", true, pax("a", 16 << 20)));
        cases.put("huge GNU long name", gnuLongName("longname.tar.gz", 16 << 20));
        cases.put(
                "huge manifest.json",
                outer("bigjson.tar.gz", true, file("manifest.json", "[" + " ".repeat(8 << 20) + "]")));
        cases.put("deeply nested manifest.json", outer("nested.tar", file("manifest.json", "[".repeat(100_000))));
        cases.put(
                "manifest naming a missing layer",
                docker("missing.tar", List.of(layer(file("etc/x", "x"))), 0, "ab".repeat(32) + "/layer.tar"));
        cases.put(
                "manifest naming a layer outside",
                docker("manifestdotdot.tar", List.of(layer(file("etc/x", "x"))), 0, "../../../etc/passwd"));
        cases.put(
                "config naming a bad diff id",
                outer(
                        "baddiff.tar",
                        file("manifest.json", "[{\"Config\":\"c.json\",\"Layers\":[]}]"),
                        file("c.json", "{\"rootfs\":{\"diff_ids\":[\"../../x\"]}}")));
        // --- inside a layer
        cases.put("layer ../ entry", docker("l-dotdot.tar", layer(file("../../../../" + out + "/escaped", "x"))));
        cases.put(
                "layer absolute entry",
                docker("l-abs.tar", layer(file(outside.resolve("escaped").toString(), "x"))));
        cases.put(
                "layer symlink then a file through it",
                docker("l-link.tar", layer(symlink("evil", outside.toString()), file("evil/escaped", "x"))));
        cases.put(
                "layer relative symlink up then a file through it",
                docker(
                        "l-uplink.tar",
                        layer(symlink("up", "../../../../../../../../.."), file("up/" + out + "/escaped", "x"))));
        cases.put(
                "layer whiteout through a symlink",
                docker("l-whiteout.tar", layer(symlink("evil", outside.toString()), file("evil/.wh.victim", ""))));
        cases.put(
                "layer directory through a symlink",
                docker("l-dirlink.tar", layer(symlink("evil", outside.toString()), dir("evil/sub/"))));
        cases.put("layer hard link to a host file", docker("l-hard-abs.tar", layer(hardlink("passwd", "/etc/passwd"))));
        cases.put(
                "layer hard link up and out",
                docker("l-hard-up.tar", layer(hardlink("passwd", "../../../../../../etc/passwd"))));
        cases.put(
                "layer hard link to a symlink",
                docker("l-hard-sym.tar", layer(symlink("s", "/etc/passwd"), hardlink("h", "s"))));
        cases.put(
                "layer hard link through a symlink",
                docker("l-hard-through.tar", layer(symlink("etc", "/etc"), hardlink("h", "etc/passwd"))));
        cases.put(
                "layer symlink loop then a file through it",
                docker("l-loop.tar", layer(symlink("a", "b"), symlink("b", "a"), file("a/x", "x"))));
        List<Entry> bomb = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            bomb.add(symlink("l" + i, "l" + ((i + 1) % 40) + "/l" + ((i + 1) % 40)));
        }
        bomb.add(file("l0/x", "x"));
        cases.put("layer symlink bomb then a file through it", docker("l-bomb.tar", layer(bomb.toArray(Entry[]::new))));
        cases.put(
                "layer character device", docker("l-chr.tar", layer(device("dev/mem", TarArchiveEntry.LF_CHR, 1, 1))));
        cases.put("layer block device", docker("l-blk.tar", layer(device("dev/sda", TarArchiveEntry.LF_BLK, 8, 0))));
        cases.put("layer huge PAX header", docker("l-pax.tar", layer(pax("a", 4 << 20))));
        cases.put("layer truncated", dockerTruncatedLayer("l-trunc.tar"));
        return cases;
    }

    // --- the CLI

    private record Result(int status, String err) {}

    private static Result importArchive(Path archive) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = Main.execute(
                new String[] {"image", "import", archive.toString()},
                new PrintWriter(out, true),
                new PrintWriter(err, true));
        return new Result(status, err.toString());
    }

    // --- archive building: entries are written raw, so hostile names and types stay as they are

    private record Entry(String name, byte type, byte[] content, String link, int major, int minor) {}

    private static Entry file(String name, String content) {
        return new Entry(name, TarArchiveEntry.LF_NORMAL, content.getBytes(StandardCharsets.UTF_8), null, 0, 0);
    }

    private static Entry dir(String name) {
        return new Entry(name, TarArchiveEntry.LF_DIR, new byte[0], null, 0, 0);
    }

    private static Entry symlink(String name, String target) {
        return new Entry(name, TarArchiveEntry.LF_SYMLINK, new byte[0], target, 0, 0);
    }

    private static Entry hardlink(String name, String target) {
        return new Entry(name, TarArchiveEntry.LF_LINK, new byte[0], target, 0, 0);
    }

    private static Entry device(String name, byte type, int major, int minor) {
        return new Entry(name, type, new byte[0], null, major, minor);
    }

    /** A file whose PAX header carries a {@code comment} record of about {@code bytes}. */
    private static Entry pax(String name, int bytes) {
        return new Entry(name, TarArchiveEntry.LF_PAX_EXTENDED_HEADER_LC, paxRecord("comment", bytes), null, 0, 0);
    }

    private static byte[] paxRecord(String key, int valueBytes) {
        String body = " " + key + "=" + "x".repeat(valueBytes) + "\n";
        int length = body.length();
        while (Integer.toString(length).length() + body.length() != length) {
            length = Integer.toString(length).length() + body.length();
        }
        return (length + body).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] tar(Entry... entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        write(bytes, entries);
        return bytes.toByteArray();
    }

    private static void write(OutputStream target, Entry... entries) throws IOException {
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(target)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Entry e : entries) {
                if (e.type == TarArchiveEntry.LF_PAX_EXTENDED_HEADER_LC
                        || e.type == TarArchiveEntry.LF_GNUTYPE_LONGNAME) {
                    // a raw metadata entry (the writer would not make an oversized one), then the file it describes
                    TarArchiveEntry header = new TarArchiveEntry(
                            e.type == TarArchiveEntry.LF_GNUTYPE_LONGNAME ? "././@LongLink" : "PaxHeaders/" + e.name,
                            e.type);
                    header.setSize(e.content.length);
                    tar.putArchiveEntry(header);
                    tar.write(e.content);
                    tar.closeArchiveEntry();
                    TarArchiveEntry file = new TarArchiveEntry(e.name);
                    tar.putArchiveEntry(file);
                    tar.closeArchiveEntry();
                    continue;
                }
                TarArchiveEntry entry = new TarArchiveEntry(e.name, e.type, true); // true: keep "../" and "/"
                entry.setModTime(1_700_000_000_000L);
                if (e.link != null) {
                    entry.setLinkName(e.link);
                }
                if (e.type == TarArchiveEntry.LF_CHR || e.type == TarArchiveEntry.LF_BLK) {
                    entry.setDevMajor(e.major);
                    entry.setDevMinor(e.minor);
                }
                entry.setMode(e.type == TarArchiveEntry.LF_DIR ? 040755 : 0100644);
                entry.setSize(e.type == TarArchiveEntry.LF_NORMAL ? e.content.length : 0);
                tar.putArchiveEntry(entry);
                if (e.type == TarArchiveEntry.LF_NORMAL) {
                    tar.write(e.content);
                }
                tar.closeArchiveEntry();
            }
        }
    }

    private Path outer(String name, Entry... entries) throws IOException {
        return outer(name, false, entries);
    }

    private Path outer(String name, boolean gzip, Entry... entries) throws IOException {
        Path file = tmp.resolve(name);
        try (OutputStream out = Files.newOutputStream(file);
                OutputStream maybe = gzip ? new GzipCompressorOutputStream(out) : out) {
            write(maybe, entries);
        }
        return file;
    }

    /** A GNU long-name entry ({@code ././@LongLink}) of {@code bytes}, written raw, gzip-compressed. */
    private Path gnuLongName(String name, int bytes) throws IOException {
        return outer(
                name,
                true,
                new Entry(
                        "a",
                        TarArchiveEntry.LF_GNUTYPE_LONGNAME,
                        "n".repeat(bytes).getBytes(StandardCharsets.UTF_8),
                        null,
                        0,
                        0));
    }

    private static byte[] layer(Entry... entries) throws IOException {
        return tar(entries);
    }

    private Path docker(String name, byte[] layer) throws IOException {
        return docker(name, List.of(layer), -1, null);
    }

    /** A {@code docker save} archive of these layers (their digests right); {@code lie} replaces one layer's file name. */
    private Path docker(String name, List<byte[]> layers, int lieAt, String lie) throws IOException {
        byte[] config = ImageArchives.config(layers);
        String configName = ImageArchives.digest(config).substring(7) + ".json";
        Map<String, byte[]> files = new LinkedHashMap<>();
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < layers.size(); i++) {
            String layerName = ImageArchives.digest(layers.get(i)).substring(7) + "/layer.tar";
            if (i == lieAt) {
                names.append(names.length() > 0 ? "," : "")
                        .append('"')
                        .append(lie)
                        .append('"');
                continue; // named, but not in the archive
            }
            files.put(layerName, layers.get(i));
            names.append(names.length() > 0 ? "," : "")
                    .append('"')
                    .append(layerName)
                    .append('"');
        }
        files.put(configName, config);
        files.put(
                "manifest.json",
                ("[{\"Config\":\"" + configName + "\",\"RepoTags\":[\"hostile:1\"],\"Layers\":[" + names + "]}]")
                        .getBytes(StandardCharsets.UTF_8));
        return ImageArchives.archive(tmp.resolve(name), files, false);
    }

    /** A layer cut short, with the config's diff id of the whole layer. */
    private Path dockerTruncatedLayer(String name) throws IOException {
        byte[] layer = layer(file("etc/a", "a".repeat(5000)), file("etc/b", "b".repeat(5000)));
        byte[] config = ImageArchives.config(List.of(layer));
        String configName = ImageArchives.digest(config).substring(7) + ".json";
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("l/layer.tar", Arrays.copyOf(layer, 3000));
        files.put(configName, config);
        files.put(
                "manifest.json",
                ("[{\"Config\":\"" + configName + "\",\"Layers\":[\"l/layer.tar\"]}]")
                        .getBytes(StandardCharsets.UTF_8));
        return ImageArchives.archive(tmp.resolve(name), files, false);
    }

    // --- what is on disk

    /** Every path under {@code root} (links not followed) with its type, and a file's size and mtime. */
    private static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                // a directory's mtime changes when a scratch entry comes and goes: its content is what counts
                entries.put(
                        root.relativize(p).toString(),
                        a.isDirectory()
                                ? "d"
                                : (a.isSymbolicLink() ? "l " : "f ") + a.size() + " " + a.lastModifiedTime());
            }
        }
        return entries;
    }

    private static List<String> list(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(Path::toString).toList();
        }
    }

    private static String diff(Map<String, String> before, Map<String, String> after) {
        Map<String, String> added = new TreeMap<>(after);
        before.forEach(added::remove);
        Map<String, String> changed = new TreeMap<>();
        before.forEach((k, v) -> {
            if (!v.equals(after.get(k))) {
                changed.put(k, v + " -> " + after.get(k));
            }
        });
        return "added " + added.keySet() + " changed " + changed;
    }
}
