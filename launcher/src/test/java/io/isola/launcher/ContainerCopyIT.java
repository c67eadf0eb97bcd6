package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.launcher.image.ImageArchives;
import io.isola.lifecycle.MonitorProcess;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code isola cp} as a Docker user types it, on running and stopped containers of an image, and
 * the escapes that runc's and Docker's cp had (CVE-2018-15664, CVE-2019-14271, CVE-2021-30465's
 * pattern): a link planted by the container must never take a copy to or from a host file.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ContainerCopyIT {

    /** A container that plants links to the host's test directory, absolute, relative and through "..". */
    private static final String PLANT =
            "mkdir -p /data/sub; echo in > /data/a; echo deep > /data/sub/b; ln -s a /data/link;"
                    + " ln -s HOST /abs; ln -s ../../../../../../../..HOST /rel; ln -s / /root-link; ln -s HOST/secret /data/to-secret;";

    @TempDir
    Path tmp;

    private InProcessCli cli;
    private Path hostDir;

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(
                Files.isRegularFile(ImageArchives.BUSYBOX),
                "no " + ImageArchives.BUSYBOX + " (install busybox-static)");
        cli = new InProcessCli(tmp);
        cli.ok(
                "image",
                "import",
                ImageArchives.dockerSave(tmp.resolve("img.tar"), "test/cp:1", false)
                        .toString());
        hostDir = Files.createDirectory(tmp.resolve("host"));
        Files.writeString(hostDir.resolve("secret"), "host secret\n");
    }

    @AfterEach
    void tearDown() {
        if (cli != null) {
            cli.close();
        }
    }

    private String plant() {
        return PLANT.replace("HOST", hostDir.toString());
    }

    @Test
    void copiesToAndFromARunningContainerByDockersRules() throws Exception {
        cli.ok(
                "run",
                "-d",
                "--name",
                "box",
                "--network",
                "none",
                "-v",
                check() + ":/check",
                "test/cp:1",
                "sh",
                "-c",
                plant() + " sleep 1000");
        awaitFile("box", "/data/to-secret");
        Path out = tmp.resolve("out");
        cli.ok("cp", "box:/data", out.toString());
        assertEquals("in\n", Files.readString(out.resolve("a")));
        assertEquals("deep\n", Files.readString(out.resolve("sub/b")));
        assertEquals("a", Files.readSymbolicLink(out.resolve("link")).toString(), "a link is copied as a link");
        assertEquals(0, (int) Files.getAttribute(out.resolve("a"), "unix:uid"));

        cli.ok("cp", "box:/data/a", out.resolve("sub").toString()); // an existing directory: into it
        assertEquals("in\n", Files.readString(out.resolve("sub/a")));
        cli.ok("cp", "box:/data/sub/.", out.toString()); // "/.": the contents
        assertEquals("deep\n", Files.readString(out.resolve("b")));
        Path existing = Files.createDirectory(tmp.resolve("existing"));
        cli.ok("cp", "box:/data/sub", existing.toString()); // a directory into an existing one
        assertTrue(Files.isRegularFile(existing.resolve("sub/b")));

        Path file = Files.writeString(tmp.resolve("note.txt"), "from the host\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-x---"));
        cli.ok("cp", file.toString(), "box:/data/");
        cli.ok("cp", file.toString(), "box:/data/renamed");
        cli.ok("cp", file.toString(), "box:/data/a"); // an existing file: overwritten
        assertEquals("from the host\n", inContainer("box", "cat /data/note.txt"));
        assertEquals("0 0 -rwxr-x---\n", inContainer("box", "stat -c '%u %g %A' /data/renamed"));
        assertEquals("from the host\n", inContainer("box", "cat /data/a"));

        cli.fails("no such file or directory in container", "cp", "box:/nope", out.toString());
        cli.fails("destination directory /data/new/ in container", "cp", file.toString(), "box:/data/new/");
        cli.fails("cannot copy a directory to a file", "cp", out.toString(), "box:/data/a");
        cli.fails("must be CONTAINER:PATH", "cp", file.toString(), out.toString());
        cli.fails("copying between containers is not supported", "cp", "box:/data", "box:/tmp");
        cli.fails("no such container", "cp", "nobox:/data", out.toString());
        cli.fails("-L (--follow-link) is not supported by isola", "cp", "-L", "box:/data/link", out.toString());
    }

    /** Every planted link resolves inside the container's root: nothing of the host's is read or written. */
    @Test
    void linksPlantedInARunningContainerNeverReachTheHost() throws Exception {
        cli.ok("run", "-d", "--name", "evil", "--network", "none", "test/cp:1", "sh", "-c", plant() + " sleep 1000");
        awaitFile("evil", "/data/to-secret");
        escapesFail("evil");
    }

    @Test
    void aStoppedContainerIsCopiedThroughItsLayersAndLinksStayInside() throws Exception {
        cli.ok("run", "--name", "gone", "--network", "none", "test/cp:1", "sh", "-c", plant());
        escapesFail("gone");
        Path file = Files.writeString(tmp.resolve("added"), "added while stopped\n");
        cli.ok("cp", file.toString(), "gone:/data/added");
        assertTrue(cli.ok("diff", "gone").contains("A /data/added\n"), cli.lastOut());
        Path out = tmp.resolve("back");
        cli.ok("cp", "gone:/data/added", out.toString());
        assertEquals("added while stopped\n", Files.readString(out));
        cli.ok("cp", "gone:/etc/lower", tmp.resolve("lower").toString()); // a lower layer's file, through the overlay
        assertEquals("lower\n", Files.readString(tmp.resolve("lower")));
        cli.fails(
                "no such file or directory in container",
                "cp",
                "gone:/etc/gone",
                tmp.resolve("gone").toString()); // whited out
        cli.ok("create", "--name", "fresh", "--network", "none", "test/cp:1", "true");
        cli.fails("was created and never started", "cp", file.toString(), "fresh:/data/");
        assertEquals(
                "",
                Files.readString(Path.of("/proc/self/mountinfo"))
                        .lines()
                        .filter(l -> l.contains(tmp.toString()))
                        .reduce("", String::concat),
                "nothing left mounted");
    }

    private void escapesFail(String box) throws IOException {
        Path out = tmp.resolve("escape-" + box);
        for (String link :
                List.of("/abs/secret", "/rel/secret", "/root-link" + hostDir + "/secret", "/data/to-secret")) {
            int code = cli.isola("cp", box + ":" + link, out.toString());
            if (Files.isSymbolicLink(out)) { // a link named as the source is copied as the link it is
                assertEquals(0, code, cli.lastErr());
            } else {
                assertFalse(Files.exists(out), "cp " + link + " read the host's file: " + cli.lastErr());
                assertTrue(cli.lastErr().contains("no such"), link + ": " + cli.lastErr());
            }
            Files.deleteIfExists(out);
        }
        Path file = Files.writeString(tmp.resolve("payload"), "payload\n");
        for (String target : List.of(
                "/abs/", "/abs/planted", "/rel/planted", "/root-link" + hostDir + "/planted", "/data/to-secret")) {
            cli.isola("cp", file.toString(), box + ":" + target);
            assertFalse(
                    Files.exists(hostDir.resolve("planted")) || Files.exists(hostDir.resolve("payload")),
                    "cp to " + target + " wrote on the host: " + cli.lastErr());
            assertEquals(
                    "host secret\n",
                    Files.readString(hostDir.resolve("secret")),
                    "cp to " + target + " wrote through the link");
        }
        try (var listing = Files.list(hostDir)) {
            assertEquals(List.of(hostDir.resolve("secret")), listing.toList());
        }
    }

    @Test
    void aDashIsATarOnStdoutOrStdin() throws Exception {
        cli.ok(
                "run",
                "-d",
                "--name",
                "tar",
                "--network",
                "none",
                "-v",
                check() + ":/check",
                "test/cp:1",
                "sh",
                "-c",
                plant() + " sleep 1000");
        awaitFile("tar", "/data/to-secret");
        byte[] archive = isolaProcess(null, "cp", "tar:/data/sub", "-");
        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(archive))) {
            for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                names.add(e.getName());
            }
        }
        assertEquals(List.of("sub/", "sub/b"), names);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            byte[] content = "streamed\n".getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry entry = new TarArchiveEntry("dir/streamed");
            entry.setSize(content.length);
            tar.putArchiveEntry(entry);
            tar.write(content);
            tar.closeArchiveEntry();
            TarArchiveEntry link = new TarArchiveEntry("dir/out", TarArchiveEntry.LF_SYMLINK);
            link.setLinkName(hostDir.toString());
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
            TarArchiveEntry through = new TarArchiveEntry("dir/out/planted");
            tar.putArchiveEntry(through);
            tar.closeArchiveEntry();
        }
        Path input = Files.write(tmp.resolve("in.tar"), bytes.toByteArray());
        isolaProcess(input, "cp", "-", "tar:/data");
        assertEquals("streamed\n", inContainer("tar", "cat /data/dir/streamed"));
        assertFalse(Files.exists(hostDir.resolve("planted")), "an archive entry below its own link reached the host");
    }

    /** bin/isola's JVM with stdin from {@code input}; its stdout. Exit code not asserted: the last entry above is refused. */
    private byte[] isolaProcess(Path input, String... args) throws Exception {
        List<String> all =
                new ArrayList<>(List.of("--root", tmp.resolve("state").toString()));
        all.addAll(List.of(args));
        List<String> command = new ArrayList<>(MonitorProcess.javaCommand(Main.class.getName(), all));
        command.add(1, "-Disola.bundles=" + System.getProperty("isola.bundles"));
        command.add(1, "-Disola.root=" + System.getProperty("isola.root"));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectInput(
                        input == null
                                ? ProcessBuilder.Redirect.from(new File("/dev/null"))
                                : ProcessBuilder.Redirect.from(input.toFile()));
        Process process = builder.start();
        byte[] out = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "isola " + String.join(" ", args) + " did not exit");
        return out;
    }

    /** A directory of the host's bound at /check, where {@link #inContainer} leaves what the container saw. */
    private String check() throws IOException {
        return Files.createDirectories(tmp.resolve("check")).toString();
    }

    /** What {@code script} prints, run in the container by exec (whose output goes to the JVM's own fds). */
    private String inContainer(String container, String script) throws IOException {
        cli.ok("exec", container, "sh", "-c", "(" + script + ") > /check/out 2>&1");
        return Files.readString(tmp.resolve("check/out"));
    }

    private void awaitFile(String container, String path) throws InterruptedException {
        for (int i = 0; i < 100 && cli.isola("exec", container, "test", "-L", path) != 0; i++) {
            Thread.sleep(100);
        }
    }
}
