package io.isola.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Writes an OCI image archive (image-layout 1.0 in a tar: oci-layout, index.json, blobs) of one
 * uncompressed layer: the host's busybox-static and a few applet links. Engines import it
 * without any registry ({@code ctr images import}, {@code podman load}).
 */
final class BusyboxOciArchive {

    private static final List<String> APPLETS = List.of(
            "sh", "echo", "true", "cat", "tty", "sleep", "ls", "httpd", "wget", "hostname", "readlink", "mkdir");

    private BusyboxOciArchive() {}

    /** Builds the archive in {@code work} (created) and returns its path. */
    static Path write(Path work) throws Exception {
        Path rootfs = Files.createDirectories(work.resolve("rootfs"));
        Path bin = Files.createDirectories(rootfs.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
        for (String applet : APPLETS) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        for (String mountPoint : List.of("proc", "dev", "sys", "tmp", "etc", "run")) {
            Files.createDirectories(rootfs.resolve(mountPoint));
        }
        Path layout = Files.createDirectories(work.resolve("layout"));
        Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
        Path layerTar = work.resolve("layer.tar");
        tar(rootfs, layerTar);
        byte[] layer = Files.readAllBytes(layerTar);
        String layerDigest = store(blobs, layer);
        String config = "{\"architecture\":\"" + architecture() + "\",\"os\":\"linux\","
                + "\"config\":{\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"sh\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" + layerDigest + "\"]}}";
        String configDigest = store(blobs, utf8(config));
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:"
                + configDigest + "\",\"size\":" + utf8(config).length + "},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"sha256:"
                + layerDigest
                + "\",\"size\":" + layer.length + "}]}";
        String manifestDigest = store(blobs, utf8(manifest));
        Files.writeString(
                layout.resolve("index.json"),
                "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                        + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" + manifestDigest
                        + "\",\"size\":"
                        + utf8(manifest).length
                        + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"latest\"}}]}");
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Path archive = work.resolve("busybox.oci.tar");
        tar(layout, archive);
        return archive;
    }

    private static String store(Path blobs, byte[] content) throws IOException, NoSuchAlgorithmException {
        String digest =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        Files.write(blobs.resolve(digest), content);
        return digest;
    }

    private static void tar(Path from, Path to) throws Exception {
        Process tar = new ProcessBuilder(
                        "tar",
                        "--numeric-owner",
                        "--owner=0",
                        "--group=0",
                        "-C",
                        from.toString(),
                        "-cf",
                        to.toString(),
                        ".")
                .inheritIO()
                .start();
        if (!tar.waitFor(60, TimeUnit.SECONDS) || tar.exitValue() != 0) {
            throw new IOException("tar of " + from + " failed");
        }
    }

    private static String architecture() {
        return System.getProperty("os.arch").equals("aarch64") ? "arm64" : "amd64";
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
