package io.isola.lifecycle;

import io.isola.api.Isola;
import io.isola.spi.Namespace;
import io.isola.spi.Phase;
import io.isola.spi.Steps;
import io.isola.testing.TestIsolator;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/** A detached container's monitor for tests: the real MonitorProcess with test isolators. */
public final class MonitorTestMain {

    static Isola runtime() {
        return Isola.builder()
                .isolators(List.of(
                        TestIsolator.plain("pid", Namespace.PID),
                        TestIsolator.withSteps("uts", Namespace.UTS, s -> s.add(Phase.NAMES, Steps.sethostname("box"))),
                        TestIsolator.withSteps(
                                "mount",
                                Namespace.MOUNT,
                                s -> s.add(
                                        Phase.FILESYSTEM,
                                        Steps.mount("mount proc on /proc", "proc", "/proc", "proc", 0, null)))))
                .build();
    }

    public static void main(String[] args) throws Exception {
        int code;
        try (Isola isola = runtime()) {
            code = MonitorProcess.serve(isola, new StateStore(Path.of(args[0])), args[1], UnaryOperator.identity());
        }
        System.exit(code);
    }
}
