package io.isola.launcher.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;

/**
 * Builds image tarballs for tests, from the host's static busybox: a bottom layer with busybox,
 * /etc/lower, /etc/gone and /dir/old, and a top layer that whites out /etc/gone, makes /dir
 * opaque (so /dir/old disappears) and adds /dir/new and /etc/upper.
 */
public final class ImageArchives {

    public static final Path BUSYBOX = Path.of("/bin/busybox");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Layers built twice are byte for byte the same, as two exports of one image are. */
    private static final long FIXED_TIME = 1_700_000_000_000L;

    private ImageArchives() {}

    /** One layer's entries, by path: byte[] for files, "->target" strings for links, null for directories. */
    static byte[] layer(Map<String, Object> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, Object> e : entries.entrySet()) {
                TarArchiveEntry entry;
                if (e.getValue() == null) {
                    entry = new TarArchiveEntry(e.getKey() + "/");
                    entry.setMode(040755);
                    entry.setModTime(FIXED_TIME);
                    tar.putArchiveEntry(entry);
                } else if (e.getValue() instanceof String link) {
                    entry = new TarArchiveEntry(e.getKey(), TarArchiveEntry.LF_SYMLINK);
                    entry.setLinkName(link.substring(2));
                    entry.setModTime(FIXED_TIME);
                    tar.putArchiveEntry(entry);
                } else {
                    byte[] content = (byte[]) e.getValue();
                    entry = new TarArchiveEntry(e.getKey());
                    entry.setMode(e.getKey().startsWith("bin/") ? 0100755 : 0100644);
                    entry.setSize(content.length);
                    entry.setModTime(FIXED_TIME);
                    tar.putArchiveEntry(entry);
                    tar.write(content);
                }
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    static List<byte[]> busyboxLayers() throws IOException {
        Map<String, Object> bottom = new LinkedHashMap<>();
        bottom.put("bin", null);
        bottom.put("bin/busybox", Files.readAllBytes(BUSYBOX));
        for (String applet : List.of("sh", "cat", "ls", "touch", "echo", "test", "rm", "pwd", "sleep", "true")) {
            bottom.put("bin/" + applet, "->busybox");
        }
        bottom.put("etc", null);
        bottom.put("etc/lower", "lower\n".getBytes(StandardCharsets.UTF_8));
        bottom.put("etc/gone", "gone\n".getBytes(StandardCharsets.UTF_8));
        bottom.put("dir", null);
        bottom.put("dir/old", "old\n".getBytes(StandardCharsets.UTF_8));
        for (String dir : List.of("proc", "sys", "dev", "tmp")) {
            bottom.put(dir, null);
        }
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("etc", null);
        top.put("etc/.wh.gone", new byte[0]);
        top.put("etc/upper", "upper\n".getBytes(StandardCharsets.UTF_8));
        top.put("dir", null);
        top.put("dir/.wh..wh..opq", new byte[0]);
        top.put("dir/new", "new\n".getBytes(StandardCharsets.UTF_8));
        return List.of(layer(bottom), layer(top));
    }

    public static byte[] config(List<byte[]> layers) throws IOException {
        return config(layers, List.of("/bin/sh"), null);
    }

    public static byte[] config(List<byte[]> layers, List<String> cmd, String workingDir) throws IOException {
        return config(layers, cmd, workingDir, null);
    }

    private static byte[] config(List<byte[]> layers, List<String> cmd, String workingDir, String user)
            throws IOException {
        return config(layers, cmd, workingDir, user, List.of());
    }

    private static byte[] config(
            List<byte[]> layers, List<String> cmd, String workingDir, String user, List<String> volumes)
            throws IOException {
        ObjectNode config = JSON.createObjectNode().put("architecture", "amd64").put("os", "linux");
        ObjectNode run = config.putObject("config");
        if (!volumes.isEmpty()) {
            ObjectNode declared = run.putObject("Volumes");
            volumes.forEach(declared::putObject);
        }
        run.putArray("Env").add("PATH=/bin").add("FROM_IMAGE=1");
        ArrayNode command = run.putArray("Cmd");
        cmd.forEach(command::add);
        if (workingDir != null) {
            run.put("WorkingDir", workingDir);
        }
        if (user != null) {
            run.put("User", user);
        }
        ArrayNode diffIds = config.putObject("rootfs").put("type", "layers").putArray("diff_ids");
        for (byte[] layer : layers) {
            diffIds.add(digest(layer));
        }
        return JSON.writeValueAsBytes(config);
    }

    /** A {@code docker save} tarball (the classic layout: {@code <id>/layer.tar}, {@code <hex>.json}). */
    public static Path dockerSave(Path file, String tag, boolean gzip) throws IOException {
        return dockerSave(file, tag, gzip, List.of("/bin/sh"), null);
    }

    /** As above, with the config's Cmd and WorkingDir. */
    public static Path dockerSave(Path file, String tag, boolean gzip, List<String> cmd, String workingDir)
            throws IOException {
        return dockerSave(file, tag, gzip, busyboxLayers(), cmd, workingDir);
    }

    /**
     * As above, with the config's User and a third layer whose /etc/passwd and /etc/group hold
     * user app (uid 1234, group app 1235, also in group staff 50, home /home/app) beside root (home /root).
     */
    public static Path dockerSaveWithUser(Path file, String tag, String user) throws IOException {
        List<byte[]> layers = new ArrayList<>(busyboxLayers());
        Map<String, Object> users = new LinkedHashMap<>();
        users.put("etc", null);
        users.put(
                "etc/passwd",
                "root:x:0:0:root:/root:/bin/sh\napp:x:1234:1235::/home/app:/bin/sh\n".getBytes(StandardCharsets.UTF_8));
        users.put("etc/group", "root:x:0:\nstaff:x:50:app\napp:x:1235:\n".getBytes(StandardCharsets.UTF_8));
        layers.add(layer(users));
        return dockerSave(file, tag, false, layers, List.of("/bin/sh"), null, user);
    }

    /**
     * As above, with {@code VOLUME /data} and a third layer whose /data holds seed ("seed"),
     * sub/file ("deep"), escape (a link to /etc/lower, absolute: the image's, not the host's) and
     * up (a link to ../etc); the config declares /data and /cache (which the image lacks) as volumes.
     */
    public static Path dockerSaveWithVolume(Path file, String tag) throws IOException {
        List<byte[]> layers = new ArrayList<>(busyboxLayers());
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("data", null);
        data.put("data/seed", "seed\n".getBytes(StandardCharsets.UTF_8));
        data.put("data/sub", null);
        data.put("data/sub/file", "deep\n".getBytes(StandardCharsets.UTF_8));
        data.put("data/escape", "->/etc/lower");
        data.put("data/up", "->../etc");
        layers.add(layer(data));
        byte[] config = config(layers, List.of("/bin/sh"), null, null, List.of("/data", "/cache"));
        return dockerSave(file, tag, false, layers, config);
    }

    /**
     * As above, with {@code fields} added to the config's {@code config} object (StopSignal,
     * Healthcheck, ...), each given as the JSON text of its value.
     */
    public static Path dockerSaveWithConfig(Path file, String tag, List<String> cmd, Map<String, String> fields)
            throws IOException {
        List<byte[]> layers = busyboxLayers();
        ObjectNode config = (ObjectNode) JSON.readTree(config(layers, cmd, null));
        for (Map.Entry<String, String> field : fields.entrySet()) {
            ((ObjectNode) config.get("config")).set(field.getKey(), JSON.readTree(field.getValue()));
        }
        return dockerSave(file, tag, false, layers, JSON.writeValueAsBytes(config));
    }

    /** As {@link #dockerSave(Path, String, boolean)}, with the config's ExposedPorts ({@code 8080/tcp}). */
    public static Path dockerSaveExposing(Path file, String tag, List<String> ports) throws IOException {
        List<byte[]> layers = busyboxLayers();
        ObjectNode config = (ObjectNode) JSON.readTree(config(layers));
        ObjectNode exposed = ((ObjectNode) config.get("config")).putObject("ExposedPorts");
        ports.forEach(exposed::putObject);
        return dockerSave(file, tag, false, layers, JSON.writeValueAsBytes(config));
    }

    /** As above, with the bottom layer listed twice (as images list repeated empty layers). */
    public static Path dockerSaveRepeatingALayer(Path file, String tag) throws IOException {
        List<byte[]> layers = new ArrayList<>(busyboxLayers());
        layers.add(1, layers.get(0));
        return dockerSave(file, tag, false, layers, List.of("/bin/sh"), null);
    }

    private static Path dockerSave(
            Path file, String tag, boolean gzip, List<byte[]> layers, List<String> cmd, String workingDir)
            throws IOException {
        return dockerSave(file, tag, gzip, layers, cmd, workingDir, null);
    }

    private static Path dockerSave(
            Path file, String tag, boolean gzip, List<byte[]> layers, List<String> cmd, String workingDir, String user)
            throws IOException {
        return dockerSave(file, tag, gzip, layers, config(layers, cmd, workingDir, user));
    }

    private static Path dockerSave(Path file, String tag, boolean gzip, List<byte[]> layers, byte[] config)
            throws IOException {
        String configName = digest(config).substring(7) + ".json";
        Map<String, byte[]> files = new LinkedHashMap<>();
        ArrayNode layerNames = JSON.createArrayNode();
        for (byte[] layer : layers) {
            String name = digest(layer).substring(7, 71) + "/layer.tar";
            files.put(name, layer);
            layerNames.add(name);
        }
        files.put(configName, config);
        ArrayNode manifest = JSON.createArrayNode();
        ObjectNode image = manifest.addObject().put("Config", configName);
        image.putArray("RepoTags").add(tag);
        image.set("Layers", layerNames);
        files.put("manifest.json", JSON.writeValueAsBytes(manifest)); // last, as docker writes it
        return archive(file, files, gzip);
    }

    /** An OCI image layout tarball with gzip-compressed layer blobs. */
    public static Path ociLayout(Path file, String refName, boolean gzip) throws IOException {
        List<byte[]> layers = busyboxLayers();
        byte[] config = config(layers);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
        ObjectNode manifest = JSON.createObjectNode()
                .put("schemaVersion", 2)
                .put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        manifest.putObject("config")
                .put("mediaType", "application/vnd.oci.image.config.v1+json")
                .put("digest", digest(config))
                .put("size", config.length);
        ArrayNode descriptors = manifest.putArray("layers");
        files.put(blob(config), config);
        for (byte[] layer : layers) {
            byte[] compressed = gzip(layer);
            descriptors
                    .addObject()
                    .put("mediaType", "application/vnd.oci.image.layer.v1.tar+gzip")
                    .put("digest", digest(compressed))
                    .put("size", compressed.length);
            files.put(blob(compressed), compressed);
        }
        byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
        files.put(blob(manifestBytes), manifestBytes);
        ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2);
        ObjectNode entry = index.putArray("manifests")
                .addObject()
                .put("mediaType", "application/vnd.oci.image.manifest.v1+json")
                .put("digest", digest(manifestBytes))
                .put("size", manifestBytes.length);
        entry.putObject("annotations").put("org.opencontainers.image.ref.name", refName);
        files.put("index.json", JSON.writeValueAsBytes(index));
        return archive(file, files, gzip);
    }

    public static Path archive(Path file, Map<String, byte[]> files, boolean gzip) throws IOException {
        try (OutputStream out = Files.newOutputStream(file);
                OutputStream maybeGzip = gzip ? new GzipCompressorOutputStream(out) : out;
                TarArchiveOutputStream tar = new TarArchiveOutputStream(maybeGzip)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(e.getKey());
                entry.setSize(e.getValue().length);
                tar.putArchiveEntry(entry);
                tar.write(e.getValue());
                tar.closeArchiveEntry();
            }
        }
        return file;
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GzipCompressorOutputStream gz = new GzipCompressorOutputStream(bytes)) {
            gz.write(data);
        }
        return bytes.toByteArray();
    }

    /** {@code data} as one zstd frame, as {@code skopeo --dest-compress-format zstd} writes layers. */
    static byte[] zstd(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZstdCompressorOutputStream zstd = new ZstdCompressorOutputStream(bytes)) {
            zstd.write(data);
        }
        return bytes.toByteArray();
    }

    static String blob(byte[] content) {
        return "blobs/sha256/" + digest(content).substring(7);
    }

    public static String digest(byte[] content) {
        try {
            return "sha256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
