package io.isola.testing;

import io.isola.api.Isola;
import io.isola.spi.Namespace;
import io.isola.spi.Phase;
import io.isola.spi.Steps;
import java.util.List;
import java.util.Set;

/**
 * The runtime most core tests drive: every namespace the test isolators make (uts, ipc, mount and
 * pid, the last with a fresh {@code /proc}) and the default lock-down, without any bundle.
 */
public final class TestRuntimes {

    /** The isolators of {@link #full()}, for {@code ContainerSpec.Builder.isolators}. */
    public static final Set<String> ALL = Set.of("uts", "ipc", "mount", "pid");

    private TestRuntimes() {}

    public static Isola full() {
        return Isola.builder()
                .isolators(List.of(
                        TestIsolator.plain("uts", Namespace.UTS),
                        TestIsolator.plain("ipc", Namespace.IPC),
                        TestIsolator.plain("mount", Namespace.MOUNT),
                        TestIsolator.withSteps(
                                "pid",
                                Namespace.PID,
                                steps -> steps.add(
                                        Phase.FILESYSTEM,
                                        Steps.mount("mount proc on /proc", "proc", "/proc", "proc", 0, null)))))
                .build();
    }
}
