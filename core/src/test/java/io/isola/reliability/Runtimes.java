package io.isola.reliability;

import io.isola.api.Isola;
import io.isola.spi.Namespace;
import io.isola.spi.Phase;
import io.isola.spi.Steps;
import io.isola.testing.TestIsolator;
import java.util.List;

/** The runtime the reliability suite drives: every namespace the test isolators make, /proc, the default lock-down. */
final class Runtimes {

    private Runtimes() {}

    static Isola full() {
        return Isola.builder().isolators(List.of(
                TestIsolator.plain("uts", Namespace.UTS),
                TestIsolator.plain("ipc", Namespace.IPC),
                TestIsolator.plain("mount", Namespace.MOUNT),
                TestIsolator.withSteps("pid", Namespace.PID, steps -> steps.add(Phase.FILESYSTEM,
                        Steps.mount("mount proc on /proc", "proc", "/proc", "proc", 0, null))))).build();
    }
}
