package io.isola.ns.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Block I/O counters as the kernel's files lay them out, summed over devices as docker stats sums them. */
class BlockIoStatsTest {

    @TempDir
    Path dir;

    @Test
    void v2SumsReadAndWrittenBytesOfEveryDevice() throws Exception {
        Files.writeString(
                dir.resolve("io.stat"),
                "8:0 rbytes=1200000 wbytes=0 rios=30 wios=0 dbytes=0 dios=0\n"
                        + "254:0 rbytes=34 wbytes=4096 rios=1 wios=1 dbytes=512 dios=1\n");
        assertEquals(new BlockIoStats(1200034, 4096), BlockIoStats.v2(dir));
    }

    @Test
    void v1SumsReadAndWriteLinesAndSkipsTheTotals() throws Exception {
        Files.writeString(
                dir.resolve("blkio.throttle.io_service_bytes_recursive"),
                "254:0 Read 7000\n254:0 Write 65\n254:0 Sync 7065\n254:0 Async 0\n254:0 Discard 9\n"
                        + "254:0 Total 7065\n8:16 Read 1\n8:16 Write 2\nTotal 7068\n");
        assertEquals(new BlockIoStats(7001, 67), BlockIoStats.v1(dir));
    }

    @Test
    void noFileIsNoIo() throws Exception {
        assertEquals(BlockIoStats.NONE, BlockIoStats.v2(dir));
        assertEquals(BlockIoStats.NONE, BlockIoStats.v1(dir));
    }
}
