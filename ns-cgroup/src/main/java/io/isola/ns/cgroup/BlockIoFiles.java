package io.isola.ns.cgroup;

import io.isola.api.IoThrottle;
import io.isola.api.Resources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code --blkio-weight} and the {@code --device-*-bps/iops} limits, written as each cgroup
 * version takes them: v2's {@code io.max} (one line per device, every kind on it) and
 * {@code io.bfq.weight} or {@code io.weight}; v1's {@code blkio.throttle.*_device} files and
 * {@code blkio.bfq.weight} or {@code blkio.weight}.
 */
final class BlockIoFiles {

    private BlockIoFiles() {}

    /** The v1 weight file this blkio hierarchy offers (CFQ's, or BFQ's), empty with neither (none, mq-deadline). */
    static Optional<String> v1WeightFile(Path dir) {
        for (String name : new String[] {"blkio.weight", "blkio.bfq.weight"}) {
            if (Files.exists(dir.resolve(name))) {
                return Optional.of(name);
            }
        }
        return Optional.empty();
    }

    static void applyV1(Path dir, Resources r) throws IOException {
        if (r.blkioWeight().isPresent()) {
            String file = v1WeightFile(dir)
                    .orElseThrow(() ->
                            new IOException("blkio weight " + r.blkioWeight().getAsInt() + ": the blkio cgroup " + dir
                                    + " has no blkio.weight nor blkio.bfq.weight"));
            CgroupFiles.write(
                    dir.resolve(file), Integer.toString(r.blkioWeight().getAsInt()));
        }
        for (IoThrottle t : r.ioThrottles()) {
            CgroupFiles.write(dir.resolve(v1File(t.kind())), t.device() + " " + t.rate());
        }
    }

    static String v1File(IoThrottle.Kind kind) {
        return switch (kind) {
            case READ_BPS -> "blkio.throttle.read_bps_device";
            case WRITE_BPS -> "blkio.throttle.write_bps_device";
            case READ_IOPS -> "blkio.throttle.read_iops_device";
            case WRITE_IOPS -> "blkio.throttle.write_iops_device";
        };
    }

    static void applyV2(Path dir, Resources r) throws IOException {
        if (r.blkioWeight().isPresent()) {
            int weight = r.blkioWeight().getAsInt();
            // BFQ takes v1's 10-1000 as is; io.weight (iocost) wants 1-10000, so it is converted as runc does
            if (Files.exists(dir.resolve("io.bfq.weight"))) {
                CgroupFiles.write(dir.resolve("io.bfq.weight"), Integer.toString(weight));
            } else if (Files.exists(dir.resolve("io.weight"))) {
                CgroupFiles.write(dir.resolve("io.weight"), "default " + ioWeightOf(weight));
            } else {
                throw new IOException("blkio weight " + weight + ": the cgroup " + dir
                        + " has no io.bfq.weight nor io.weight (the kernel's I/O schedulers offer no weight)");
            }
        }
        for (Map.Entry<String, String> line : ioMaxLines(r).entrySet()) {
            CgroupFiles.write(dir.resolve("io.max"), line.getKey() + " " + line.getValue());
        }
    }

    /** runc's ConvertBlkIOToIOWeightValue: 10..1000 onto 1..10000, linearly. */
    static long ioWeightOf(int blkioWeight) {
        return 1 + (long) (blkioWeight - 10) * 9999 / 990;
    }

    /** io.max takes one device a write, with every limit of it: {@code 8:0 rbps=1048576 wiops=100}. */
    static Map<String, String> ioMaxLines(Resources r) {
        Map<String, String> lines = new LinkedHashMap<>();
        for (IoThrottle t : r.ioThrottles()) {
            String key = switch (t.kind()) {
                case READ_BPS -> "rbps";
                case WRITE_BPS -> "wbps";
                case READ_IOPS -> "riops";
                case WRITE_IOPS -> "wiops";
            };
            lines.merge(t.device(), key + "=" + t.rate(), (a, b) -> a + " " + b);
        }
        return lines;
    }
}
