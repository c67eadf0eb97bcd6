package io.isola.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The values behind --memory-reservation, --blkio-weight and --device-*-bps/iops, refused by name when bad. */
class IoThrottleAndReservationTest {

    private static String refusal(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void aBlockDevicePathIsResolvedToItsNumber() throws Exception {
        Path sys = Path.of("/sys/block");
        assumeTrue(Files.isDirectory(sys), "no /sys/block");
        Path disk;
        try (var disks = Files.list(sys)) {
            disk = disks.map(d -> Path.of("/dev", d.getFileName().toString()))
                    .filter(Files::exists)
                    .findFirst()
                    .orElse(null);
        }
        assumeTrue(disk != null, "no block device with a node in /dev");
        String expected =
                Files.readString(sys.resolve(disk.getFileName()).resolve("dev")).trim();
        IoThrottle t = IoThrottle.parse(IoThrottle.Kind.READ_BPS, disk + ":1.5m");
        assertEquals(expected, t.device(), disk.toString());
        assertEquals(3L << 19, t.rate());
        assertEquals(
                250, IoThrottle.parse(IoThrottle.Kind.WRITE_IOPS, disk + ":250").rate());
    }

    @Test
    void badThrottlesAreRefusedNamingTheValueAndWhatIsAllowed() {
        assertEquals(
                "--device-read-bps \"/dev/null:1mb\": /dev/null is not a block device; expected one such as /dev/sda",
                refusal(() -> IoThrottle.parse(IoThrottle.Kind.READ_BPS, "/dev/null:1mb")));
        assertEquals(
                "--device-write-bps \"/dev/sda\": expected PATH:RATE, such as /dev/sda:1mb",
                refusal(() -> IoThrottle.parse(IoThrottle.Kind.WRITE_BPS, "/dev/sda")));
        assertEquals(
                "--device-read-iops \"/nonexistent:10\": cannot read /nonexistent (NoSuchFileException); expected a block "
                        + "device such as /dev/sda",
                refusal(() -> IoThrottle.parse(IoThrottle.Kind.READ_IOPS, "/nonexistent:10")));
        assertEquals(
                "--device-write-iops \"/dev/sda:fast\": rate \"fast\": expected a whole number of operations per second",
                refusal(() -> IoThrottle.parse(IoThrottle.Kind.WRITE_IOPS, "/dev/sda:fast")));
        assertEquals(
                "--device-read-bps rate \"1q\": expected a number with an optional unit b, k, m, g or t (such as 512m)",
                refusal(() -> IoThrottle.parse(IoThrottle.Kind.READ_BPS, "/dev/sda:1q")));
        assertEquals(
                "--device-read-iops 8:0 rate 0: expected a positive number of operations per second",
                refusal(() -> new IoThrottle(IoThrottle.Kind.READ_IOPS, 8, 0, 0)));
        assertEquals(
                "--device-write-bps -1:0: expected a device number from 0:0 to 4294967295:4294967295",
                refusal(() -> new IoThrottle(IoThrottle.Kind.WRITE_BPS, -1, 0, 10)));
    }

    @Test
    void aLargeDeviceNumberSplitsAsGlibcSplitsIt() {
        // makedev(259, 65536): the minor's high bits sit above the major's low ones
        long rdev = ((259L & 0xfff) << 8) | ((259L & ~0xfffL) << 32) | (65536L & 0xff) | ((65536L & ~0xffL) << 12);
        assertEquals(259, IoThrottle.majorOf(rdev));
        assertEquals(65536, IoThrottle.minorOf(rdev));
    }

    @Test
    void aLaterThrottleOfTheSameDeviceAndKindReplacesTheEarlier() {
        Resources r = Resources.builder()
                .ioThrottle(new IoThrottle(IoThrottle.Kind.READ_BPS, 8, 0, 10))
                .ioThrottle(new IoThrottle(IoThrottle.Kind.WRITE_BPS, 8, 0, 30))
                .ioThrottle(new IoThrottle(IoThrottle.Kind.READ_BPS, 8, 0, 20))
                .build();
        assertEquals(
                List.of(
                        new IoThrottle(IoThrottle.Kind.WRITE_BPS, 8, 0, 30),
                        new IoThrottle(IoThrottle.Kind.READ_BPS, 8, 0, 20)),
                r.ioThrottles());
        assertEquals("Resources[device-write-bps=8:0:30 device-read-bps=8:0:20]", r.toString());
    }

    @Test
    void reservationAndWeightAreCheckedWhenSetAndAgainstTheLimit() {
        assertEquals(
                "memory reservation 1048576 bytes: expected at least 6m (6291456 bytes)",
                refusal(() -> Resources.builder().memoryReservation("1m")));
        assertEquals(
                "memory reservation 134217728 bytes: expected at most the memory limit (67108864 bytes)",
                refusal(() -> Resources.builder()
                        .memory("64m")
                        .memoryReservation("128m")
                        .build()));
        assertEquals(
                "blkio weight 5: expected a number from 10 to 1000",
                refusal(() -> Resources.builder().blkioWeight(5)));
        assertEquals(
                "blkio weight 1001: expected a number from 10 to 1000",
                refusal(() -> Resources.builder().blkioWeight(1001)));
        Resources r = Resources.builder()
                .memoryReservation("64m")
                .blkioWeight(10)
                .oomKillGroup(true)
                .build();
        assertEquals("Resources[memoryReservation=67108864 blkioWeight=10 oomKillGroup]", r.toString());
    }
}
