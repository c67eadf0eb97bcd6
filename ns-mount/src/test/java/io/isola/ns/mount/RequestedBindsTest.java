package io.isola.ns.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.Filesystem;
import io.isola.api.Isola;
import io.isola.api.Stdio;
import io.isola.api.Volume;
import io.isola.spi.ContainerBind;
import io.isola.spi.Duty;
import io.isola.spi.Isolation;
import io.isola.spi.IsolationRequest;
import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;
import io.isola.testing.Outcome;
import io.isola.testing.TestIsolator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Binds that another isolator requests ({@code IsolationRequest.requestBind}) land inside the
 * container's root, resolved there, and the root file system directory is left as it was found.
 */
class RequestedBindsTest {

    private static Isola isola;
    private static volatile String target = "/etc/generated";

    @TempDir
    Path tmp;

    private Path rootfs;
    private static Path source;

    /** Asks for {@link #source} at {@link #target}, as the network isolator asks for its /etc files. */
    static final class Requester implements NamespaceIsolator {
        @Override
        public String name() {
            return "requester";
        }

        @Override
        public Namespace namespace() {
            return Namespace.UTS;
        }

        @Override
        public Isolation prepare(IsolationRequest request) {
            assertTrue(request.provided(Duty.BIND_REQUESTS));
            request.requestBind(new ContainerBind("the test's file", source, target, false));
            return new Isolation() {};
        }
    }

    @BeforeAll
    static void runtime() {
        isola = Isola.builder()
                .isolators(List.of(new MountIsolator(), new Requester(), TestIsolator.plain("pid", Namespace.PID)))
                .build();
    }

    @AfterAll
    static void close() {
        isola.close();
    }

    @BeforeEach
    void image() throws Exception {
        rootfs = Busybox.rootfs(tmp.resolve("rootfs"));
        source = Files.writeString(tmp.resolve("generated"), "from the host\n");
        target = "/etc/generated";
    }

    private Outcome sh(Filesystem filesystem, String script) throws Exception {
        return Outcome.of(
                isola,
                ContainerSpec.builder("/bin/sh", "-c", script).with(filesystem).build());
    }

    @Test
    void aRequestedFileIsInTheRootAndTheDirectoryIsUnchangedAfterwards() throws Exception {
        String before = listing(rootfs);

        Outcome outcome = sh(Filesystem.builder().rootfs(rootfs.toString()).build(), "cat /etc/generated");

        assertEquals(0, outcome.status().exitCode(), outcome.err());
        assertEquals("from the host\n", outcome.out());
        assertEquals(before, listing(rootfs), "the container left mount points in its root file system");
    }

    @Test
    void withAReadOnlyRootTheBindStillWorksAndStaysWritable() throws Exception {
        String before = listing(rootfs);

        Outcome outcome = sh(
                Filesystem.builder().rootfs(rootfs.toString()).readOnly(true).build(),
                "cat /etc/generated; ! touch /etc/other 2>/dev/null && echo changed > /etc/generated");

        assertEquals(0, outcome.status().exitCode(), outcome.err());
        assertEquals("from the host\n", outcome.out());
        assertEquals("changed\n", Files.readString(source));
        assertEquals(before, listing(rootfs));
    }

    @Test
    void aTargetBelowALinkIsResolvedInsideTheRootNeverOnTheHost() throws Exception {
        Path hostDir = Files.createDirectories(tmp.resolve("host-dir"));
        // absolute: read from the host it would lead to host-dir; inside the container it is below the root
        Files.createSymbolicLink(rootfs.resolve("data"), hostDir);
        target = "/data/sub/generated";
        String before = listing(rootfs);

        Outcome outcome = sh(
                Filesystem.builder().rootfs(rootfs.toString()).build(),
                "cat " + hostDir + "/sub/generated && cat /data/sub/generated");

        assertEquals(0, outcome.status().exitCode(), outcome.err());
        assertEquals("from the host\nfrom the host\n", outcome.out());
        try (Stream<Path> list = Files.list(hostDir)) {
            assertEquals(0, list.count(), "a mount point was created on the host, through the link");
        }
        assertEquals(before, listing(rootfs));
    }

    @Test
    void aContainerThatStillRunsKeepsItsMountPointWhenAnotherOnTheSameRootExits() throws Exception {
        Files.createDirectory(rootfs.resolve("shared")); // a volume's mount point stays, as with runc
        String before = listing(rootfs);
        Filesystem filesystem = Filesystem.builder().rootfs(rootfs.toString()).build();
        Path flag = tmp.resolve("flag");
        Filesystem withFlag = Filesystem.builder()
                .rootfs(rootfs.toString())
                .volume(new Volume(tmp.toString(), "/shared", false))
                .build();
        try (Container first = isola.start(ContainerSpec.builder(
                        "/bin/sh",
                        "-c",
                        "i=0; while [ ! -e /shared/flag ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; cat /etc/generated")
                .with(withFlag)
                .stdout(Stdio.PIPE)
                .build())) {
            Outcome second = sh(filesystem, "cat /etc/generated");
            assertEquals(0, second.status().exitCode(), second.err());
            assertTrue(
                    Files.exists(rootfs.resolve("etc/generated"), LinkOption.NOFOLLOW_LINKS),
                    "the mount point was removed while a container used it");
            Files.writeString(flag, "go");
            assertEquals(0, first.waitFor(Duration.ofSeconds(30)).orElseThrow().exitCode());
            assertEquals("from the host\n", new String(first.stdout().readAllBytes(), StandardCharsets.UTF_8));
        }
        assertEquals(before, listing(rootfs));
    }

    @Test
    void theSandboxGetsTheBindOnAHostFileAndLeavesOutOneTheHostLacks() throws Exception {
        target = "/etc/hostname";
        Outcome outcome = sh(Filesystem.builder().build(), "cat /etc/hostname");
        assertEquals(0, outcome.status().exitCode(), outcome.err());
        assertEquals("from the host\n", outcome.out());

        target = "/etc/no-such-file-" + ProcessHandle.current().pid();
        outcome = sh(Filesystem.builder().build(), "test ! -e " + target);
        assertEquals(0, outcome.status().exitCode(), outcome.err());
    }

    /** Every path below {@code root} with its type, mode, size, link target and content. */
    static String listing(Path root) throws Exception {
        StringBuilder out = new StringBuilder();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted().toList()) {
                out.append(root.relativize(path))
                        .append(' ')
                        .append(Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS))
                        .append(' ');
                if (Files.isSymbolicLink(path)) {
                    out.append("-> ").append(Files.readSymbolicLink(path));
                } else if (Files.isRegularFile(path)) {
                    out.append(HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(path))));
                }
                out.append('\n');
            }
        }
        return out.toString();
    }
}
