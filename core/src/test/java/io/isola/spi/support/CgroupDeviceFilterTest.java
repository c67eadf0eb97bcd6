package io.isola.spi.support;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.api.Devices.Rule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The filter on a real cgroup2 directory: a process in the cgroup is held by it, and a second
 * filter attached to the same cgroup replaces the first (as runc's update does) rather than adding
 * to it, while the ancestors' programs would still run.
 */
class CgroupDeviceFilterTest {

    private static final Rule NULL = Rule.parse("c 1:3 rw");
    private static final Rule ZERO = Rule.parse("c 1:5 rw");

    private Path cgroup;

    @BeforeEach
    void makeCgroup() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        Path root = Files.isRegularFile(Path.of("/sys/fs/cgroup/cgroup.procs"))
                ? Path.of("/sys/fs/cgroup")
                : Path.of("/sys/fs/cgroup/unified");
        assumeTrue(Files.isRegularFile(root.resolve("cgroup.procs")), "no cgroup2 hierarchy at " + root);
        assumeTrue(CgroupDeviceFilter.supported(), "this kernel does not load a cgroup device program for us");
        cgroup = Files.createDirectory(
                root.resolve("isola-filter-test-" + ProcessHandle.current().pid()));
    }

    @AfterEach
    void removeCgroup() throws Exception {
        if (cgroup != null) {
            Files.delete(cgroup); // the probes have ended: empty
        }
    }

    /** What a process in the cgroup may open of null and zero. */
    private String probe() throws Exception {
        String script = "echo $$ > " + cgroup.resolve("cgroup.procs") + " || exit 9\n"
                + "for d in null zero; do (exec 3<>/dev/$d) 2>&- && echo $d: ok || echo $d: refused; done";
        Process process =
                new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), UTF_8);
        assertEquals(true, process.waitFor(30, TimeUnit.SECONDS));
        return out;
    }

    @Test
    void aProcessInTheCgroupOpensOnlyWhatTheRulesAllow() throws Exception {
        CgroupDeviceFilter.attach(cgroup, List.of(NULL));
        assertEquals("null: ok\nzero: refused\n", probe());
    }

    @Test
    void aSecondFilterReplacesTheFirst() throws Exception {
        CgroupDeviceFilter.attach(cgroup, List.of(NULL));
        CgroupDeviceFilter.attach(cgroup, List.of(ZERO));
        assertEquals("null: refused\nzero: ok\n", probe(), "only the second filter's rules");
    }
}
