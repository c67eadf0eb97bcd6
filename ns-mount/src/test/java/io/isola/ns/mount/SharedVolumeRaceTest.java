package io.isola.ns.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.Filesystem;
import io.isola.api.Isola;
import io.isola.api.StepFailedException;
import io.isola.api.Volume;
import io.isola.testing.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * runc's CVE-2021-30465 race: a container that shares a volume with another swaps a directory
 * there for a link to a host path while the other starts with a mount below that directory. The
 * host plans the target before the clone; the child must not follow a link that appeared since.
 */
class SharedVolumeRaceTest {

    /** Starts of the victim at most: on the old code the race was won within the first few dozen. */
    private static final int STARTS = 300;

    private static final Duration BUDGET = Duration.ofSeconds(90);

    private static Isola isola;

    @TempDir
    Path tmp;

    @BeforeAll
    static void runtime() {
        isola = Containers.runtime();
    }

    @AfterAll
    static void close() {
        isola.close();
    }

    @Test
    void aLinkSwappedInBelowASharedVolumeNeverTakesTheVictimsMountsOntoTheHost() throws Exception {
        Path volume = Files.createDirectories(tmp.resolve("volume/sub")).getParent();
        Path host = Files.createDirectories(tmp.resolve("host")); // what the attacker aims at
        Path marker = Files.createDirectories(tmp.resolve("marker"));
        Files.writeString(marker.resolve("marker"), "marker\n");
        Path attackerRoot = Busybox.rootfs(tmp.resolve("attacker"));
        Path victimRoot = Busybox.rootfs(tmp.resolve("victim"));
        // swaps /data/sub between a directory and a link to the host's directory, until killed
        String swap = "i=0; while [ $i -lt 10000000 ]; do rm -rf /data/sub; ln -s " + host
                + " /data/sub; rm /data/sub; mkdir /data/sub; i=$((i+1)); done";
        ContainerSpec attacker = ContainerSpec.builder("/bin/sh", "-c", swap)
                .with(Filesystem.builder()
                        .rootfs(attackerRoot.toString())
                        .volume(Volume.parse(volume + ":/data"))
                        .build())
                .build();
        Filesystem victim = Filesystem.builder()
                .rootfs(victimRoot.toString())
                .volume(Volume.parse(volume + ":/data"))
                .volume(Volume.parse(marker + ":/data/sub/made"))
                .build();
        int started = 0, refused = 0, disturbed = 0;
        long deadline = System.nanoTime() + BUDGET.toNanos();
        try (Container swapper = isola.start(attacker)) {
            for (int i = 0; i < STARTS && System.nanoTime() < deadline; i++) {
                try {
                    // where the host planned it: below /data, or below the link inside the root
                    Outcome outcome = Containers.sh(
                            isola, victim, "cat /data/sub/made/marker 2>/dev/null || cat " + host + "/made/marker");
                    if (outcome.status().shellCode() == 0) {
                        assertEquals("marker\n", outcome.out(), outcome.err());
                        started++;
                    } else {
                        disturbed++; // the attacker removed the victim's mount point under it
                    }
                } catch (StepFailedException e) {
                    assertTrue(e.getMessage().contains("/data/sub/made"), "the failure names the target: " + e);
                    refused++;
                }
                List<Path> made;
                try (Stream<Path> entries = Files.list(host)) {
                    made = entries.toList();
                }
                if (!made.isEmpty()) {
                    fail("start " + (i + 1) + " created " + made + " on the host through the swapped link (before: "
                            + started + " started, " + refused + " refused, " + disturbed + " disturbed)");
                }
            }
            assertTrue(swapper.waitFor(Duration.ZERO).isEmpty(), "the attacker ran throughout");
        }
        System.out.printf(
                "SharedVolumeRaceTest: %d started, %d refused naming the target, %d disturbed%n",
                started, refused, disturbed);
        assertTrue(started > 0, "no start went through: " + refused + " refused, " + disturbed + " disturbed");
    }
}
