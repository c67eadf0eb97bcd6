package io.isola.spi.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FileModesTest {

    /** /dev/null is character device 1:3 on every Linux. */
    @Test
    void theHostsNullDeviceReadsAsCharacterDeviceOneThree() throws IOException {
        Path node = Path.of("/dev/null");
        int mode = (Integer) Files.getAttribute(node, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        long rdev = (Long) Files.getAttribute(node, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
        assertEquals(FileModes.S_IFCHR, FileModes.type(mode));
        assertEquals(1, FileModes.major(rdev));
        assertEquals(3, FileModes.minor(rdev));
        assertEquals(rdev, FileModes.device(1, 3));
    }

    /** Numbers past the old 8-bit minor and 12-bit major fields take dev_t's upper bits. */
    @Test
    void largeNumbersRoundTrip() {
        long dev = FileModes.device(4095 + 5, 255 + 70000);
        assertEquals(4095 + 5, FileModes.major(dev));
        assertEquals(255 + 70000, FileModes.minor(dev));
    }
}
