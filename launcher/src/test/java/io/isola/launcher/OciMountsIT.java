package io.isola.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isola.internal.nativ.Pidfd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** linux.rootfsPropagation and the mounts' propagation options, as the container's mount table shows them. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OciMountsIT {

    @TempDir
    Path root;

    @TempDir
    Path bundle;

    @TempDir
    Path out;

    private OciHarness oci;

    @BeforeEach
    void setUp() throws Exception {
        oci = OciHarness.in(root, bundle, out);
    }

    private static void sh(String script) throws Exception {
        Process p =
                new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), script + ": " + output);
    }

    /**
     * rslave, as Kubernetes' HostToContainer asks: the root's source lies on a shared mount of the
     * host's, and a mount the host makes below it after the start reaches the container, whose
     * root shows its master; without the setting (isola's private default) it would not.
     */
    @Test
    void aSlaveRootReceivesTheHostsLaterMounts() throws Exception {
        Path shared = Files.createDirectories(root.resolve("shared"));
        sh("mount -t tmpfs isola-oci-test " + shared + " && mount --make-shared " + shared);
        Path late = null;
        try {
            Path own = Files.createDirectories(shared.resolve("bundle"));
            OciHarness.rootfs(own);
            late = Files.createDirectories(own.resolve("rootfs/mnt/late"));
            ObjectNode config = oci.config(
                    "i=0; while [ ! -e /mnt/late/hello ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done;"
                            + " cat /mnt/late/hello > /out/seen; busybox awk '$5 == \"/\"' /proc/self/mountinfo > /out/root");
            ((ObjectNode) config.get("linux")).put("rootfsPropagation", "rslave");
            OciHarness.JSON.writeValue(own.resolve("config.json").toFile(), config);

            oci.ok("create", "--bundle", own.toString(), "m1");
            try (Pidfd child = Pidfd.open(oci.pid("m1"))) {
                oci.ok("start", "m1");
                sh("mount -t tmpfs isola-oci-late " + late + " && echo hello > " + late + "/hello");
                assertEquals(0, child.awaitExit(Duration.ofSeconds(60)).exitCode());
            } finally {
                oci.isola("delete", "--force", "m1");
            }

            assertEquals("hello\n", oci.read("seen"));
            assertTrue(oci.read("root").contains(" master:"), oci.read("root"));
        } finally {
            if (late != null) {
                new ProcessBuilder("umount", late.toString()).start().waitFor(10, TimeUnit.SECONDS);
            }
            new ProcessBuilder("umount", "-l", shared.toString()).start().waitFor(10, TimeUnit.SECONDS);
        }
        try (var mounts = Files.lines(Path.of("/proc/self/mountinfo"))) {
            assertEquals(
                    List.of(),
                    mounts.filter(line -> line.contains("isola-oci-")).toList(),
                    "a test mount was left");
        }
    }

    @Test
    void aRootPropagationIsRefusedWithoutAMountNamespaceAndWhenUnknown() throws Exception {
        ObjectNode config = oci.config("true");
        ((ObjectNode) config.get("linux")).put("rootfsPropagation", "sideways");
        oci.write(config);
        assertEquals(1, oci.isola("create", "--bundle", bundle.toString(), "m2"));
        assertTrue(
                oci.lastErr.contains("linux.rootfsPropagation") && oci.lastErr.contains("\"sideways\""), oci.lastErr);
        assertEquals("", oci.ok("list", "-q"));
    }

    /**
     * A mount's propagation option is set once it is made, as runc sets it: mountinfo's optional
     * fields inside the container show a shared bind and an unbindable tmpfs; a private bind (and
     * the /out bind that asks for nothing) shows none.
     */
    @Test
    void aMountsPropagationOptionShowsInTheContainersMountInfo() throws Exception {
        ObjectNode config =
                oci.config("busybox awk '{o=\"\"; for (i = 7; $i != \"-\"; i++) o = o \" \" $i; print $5 o}'"
                        + " /proc/self/mountinfo > /out/mounts");
        ArrayNode mounts = (ArrayNode) config.get("mounts");
        ObjectNode shared = mounts.addObject()
                .put("destination", "/s")
                .put("type", "bind")
                .put("source", Files.createDirectories(root.resolve("s")).toString());
        shared.putArray("options").add("rbind").add("shared");
        ObjectNode tmpfs =
                mounts.addObject().put("destination", "/u").put("type", "tmpfs").put("source", "tmpfs");
        tmpfs.putArray("options").add("nosuid").add("runbindable");
        ObjectNode plain = mounts.addObject()
                .put("destination", "/p")
                .put("type", "bind")
                .put("source", Files.createDirectories(root.resolve("p")).toString());
        plain.putArray("options").add("rbind").add("rprivate");
        oci.write(config);

        assertEquals(0, oci.run("m3"));

        List<String> seen = Files.readAllLines(out.resolve("mounts"));
        assertTrue(seen.stream().anyMatch(line -> line.matches("/s shared:\\d+")), seen.toString());
        assertTrue(seen.contains("/u unbindable"), seen.toString());
        assertTrue(seen.contains("/p"), seen.toString());
        assertTrue(seen.contains("/out"), seen.toString());
    }
}
