package io.isola.ns.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.api.ContainerSpec;
import io.isola.api.Devices;
import io.isola.api.Isola;
import io.isola.api.Security;
import io.isola.testing.Outcome;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The devices cgroup on the real kernel (issue 9's block-device escape): a default container may
 * make a node of the host's disk, as in Docker, but not open it; a privileged one may.
 */
class DeviceAccessTest {

    private static final String EPERM = "1";

    private final Isola isola = CgroupTesting.runtime();

    @TempDir
    Path dir;

    @AfterEach
    void tearDown() throws Exception {
        isola.close();
        assertEquals(List.of(), CgroupTesting.leftovers(CgroupTesting.PARENT));
    }

    private boolean v1Devices() {
        return CgroupMounts.ofThisProcess().hierarchies().stream().anyMatch(h -> h.has("devices"));
    }

    /**
     * A block device of the host that the host itself may open (this host's sandbox refuses even
     * root its main disk), as MAJOR:MINOR: the loop and zram devices usually.
     */
    private static String hostDisk() throws Exception {
        try (Stream<Path> devices = Files.list(Path.of("/sys/dev/block"))) {
            for (Path device : devices.sorted().toList()) {
                String name = Files.readAllLines(device.resolve("uevent")).stream()
                        .filter(l -> l.startsWith("DEVNAME="))
                        .map(l -> l.substring("DEVNAME=".length()))
                        .findFirst()
                        .orElse(null);
                if (name == null) {
                    continue;
                }
                try (FileInputStream open = new FileInputStream("/dev/" + name)) {
                    return device.getFileName().toString();
                } catch (IOException e) {
                    // not for us to open: try the next
                }
            }
        }
        assumeTrue(false, "no block device on this host that root may open");
        return null;
    }

    /** Makes a node of the host's disk in {@code dir} and tries to open it: "ok" or the errno. */
    private Outcome openTheHostsDisk(Security security) throws Exception {
        String[] number = hostDisk().split(":");
        Path node = dir.resolve("disk");
        String script =
                "system('mknod', '" + node + "', 'b', " + number[0] + ", " + number[1] + ") == 0 or die 'mknod failed';"
                        + " if (open(my $f, '<', '" + node + "')) { print 'ok' } else { print $! + 0 }";
        return Outcome.of(
                isola,
                ContainerSpec.builder("perl", "-e", script).with(security).build());
    }

    @Test
    void aNodeOfTheHostsDiskMadeInsideCannotBeOpenedByDefault() throws Exception {
        assumeTrue(v1Devices(), "no cgroup v1 devices hierarchy on this host");
        Outcome outcome = openTheHostsDisk(Security.defaults());
        assertEquals(0, outcome.status().exitCode(), outcome::toString);
        assertEquals(EPERM, outcome.out(), "mknod is allowed (as runc's b *:* m), opening is refused: " + outcome);
        assertTrue(Files.exists(dir.resolve("disk")));
    }

    @Test
    void aPrivilegedContainerMayOpenTheHostsDisk() throws Exception {
        Outcome outcome = openTheHostsDisk(Security.builder().privileged(true).build());
        assertEquals("ok", outcome.out(), outcome::toString);
    }

    @Test
    void theDefaultDevicesAreUsable() throws Exception {
        Outcome outcome = Outcome.of(
                isola,
                ContainerSpec.builder(
                                "sh",
                                "-c",
                                "head -c 4 /dev/zero | wc -c; head -c 4 /dev/urandom | wc -c; echo x > /dev/null && echo null")
                        .build());
        assertEquals("4\n4\nnull\n", outcome.out(), outcome::toString);
    }

    @Test
    void theContainersDeviceListIsRuncsDefault() throws Exception {
        assumeTrue(v1Devices(), "no cgroup v1 devices hierarchy on this host");
        Outcome outcome = Outcome.of(
                isola,
                ContainerSpec.builder("cat", "/sys/fs/cgroup/devices/devices.list")
                        .build());
        assertEquals(
                List.of(
                        "c *:* m",
                        "b *:* m",
                        "c 1:3 rwm",
                        "c 1:5 rwm",
                        "c 1:7 rwm",
                        "c 1:8 rwm",
                        "c 1:9 rwm",
                        "c 5:0 rwm",
                        "c 5:1 rwm",
                        "c 5:2 rwm",
                        "c 136:* rwm",
                        "c 10:200 rwm"),
                outcome.out().lines().toList(),
                outcome::toString);
        Outcome privileged = Outcome.of(
                isola,
                ContainerSpec.builder("cat", "/sys/fs/cgroup/devices/devices.list")
                        .with(Security.builder().privileged(true).build())
                        .build());
        assertEquals("a *:* rwm\n", privileged.out(), privileged::toString);
    }

    @Test
    void aRuleOfTheContainersOwnAllowsItsDevice() throws Exception {
        assumeTrue(v1Devices(), "no cgroup v1 devices hierarchy on this host");
        String[] number = hostDisk().split(":");
        Path node = dir.resolve("disk");
        String script = "system('mknod', '" + node + "', 'b', " + number[0] + ", " + number[1] + ") == 0 or die;"
                + " print open(my $f, '<', '" + node + "') ? 'read ' : 'no-read ', open(my $g, '>>', '" + node
                + "') ? 'write' : $! + 0";
        Outcome outcome = Outcome.of(
                isola,
                ContainerSpec.builder("perl", "-e", script)
                        .with(Devices.builder()
                                .rule("b " + number[0] + ":" + number[1] + " r")
                                .build())
                        .build());
        assertEquals("read " + EPERM, outcome.out(), "read allowed by the rule, write still refused: " + outcome);
    }

    @Test
    void aBadDeviceIsRefusedBeforeAnythingIsCreated() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> isola.start(ContainerSpec.builder("true")
                        .with(Devices.builder().device("/dev/no-such-device").build())
                        .build()));
        assertEquals(
                "device \"/dev/no-such-device\": cannot read it on the host (NoSuchFileException)", e.getMessage());
        IllegalArgumentException notADevice = assertThrows(
                IllegalArgumentException.class,
                () -> isola.start(ContainerSpec.builder("true")
                        .with(Devices.builder().device("/dev/shm").build())
                        .build()));
        assertEquals("device \"/dev/shm\": not a character or block device", notADevice.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Devices.Rule.parse("x 1:3 rwm"));
        assertThrows(IllegalArgumentException.class, () -> Devices.Mapping.parse("/dev/sda:/etc/passwd"));
    }
}
