package io.isola.bench;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.api.Security;
import io.isola.spi.Namespace;
import io.isola.spi.Phase;
import io.isola.spi.Steps;
import io.isola.testing.TestIsolator;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the default lock-down costs per start, interleaved with starts without it in one run (this
 * VM is noisy: compare side by side only). On demand: {@code -Dtest=LockdownCostBench -Disola.bench=true}.
 */
class LockdownCostBench {

    @Test
    void lockdownCost() throws Exception {
        assumeTrue(Boolean.getBoolean("isola.bench"), "a benchmark, on demand: -Disola.bench=true");
        try (Isola isola = Isola.builder()
                .isolators(List.of(
                        TestIsolator.plain("uts", Namespace.UTS),
                        TestIsolator.plain("ipc", Namespace.IPC),
                        TestIsolator.plain("mount", Namespace.MOUNT),
                        TestIsolator.withSteps(
                                "pid",
                                Namespace.PID,
                                s -> s.add(
                                        Phase.FILESYSTEM,
                                        Steps.mount("mount proc on /proc", "proc", "/proc", "proc", 0, null)))))
                .build()) {
            ContainerSpec locked = ContainerSpec.builder("true").build();
            ContainerSpec open = ContainerSpec.builder("true")
                    .with(Security.builder()
                            .privileged(true)
                            .noNewPrivileges(false)
                            .build())
                    .build();
            int n = Integer.getInteger("isola.bench.n", 200);
            long[] a = new long[n], b = new long[n];
            for (int i = 0; i < 20; i++) {
                isola.run(locked);
                isola.run(open);
            }
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                isola.run(locked);
                long t1 = System.nanoTime();
                isola.run(open);
                long t2 = System.nanoTime();
                a[i] = t1 - t0;
                b[i] = t2 - t1;
            }
            Arrays.sort(a);
            Arrays.sort(b);
            System.out.printf(
                    "start to exit of /bin/true, %d each: locked down min %.1f / median %.1f ms; privileged "
                            + "min %.1f / median %.1f ms%n",
                    n, a[0] / 1e6, a[n / 2] / 1e6, b[0] / 1e6, b[n / 2] / 1e6);
        }
    }
}
