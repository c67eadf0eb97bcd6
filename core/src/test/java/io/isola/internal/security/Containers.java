package io.isola.internal.security;

import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.api.Security;
import io.isola.spi.Namespace;
import io.isola.spi.Phase;
import io.isola.spi.Steps;
import io.isola.testing.Outcome;
import io.isola.testing.TestIsolator;
import java.util.List;

/** Runs commands in containers with the test isolators (mount, uts, ipc, pid with its /proc) and a given lock-down. */
final class Containers {

    private Containers() {}

    static Isola runtime() {
        return Isola.builder().isolators(List.of(
                TestIsolator.plain("uts", Namespace.UTS),
                TestIsolator.plain("ipc", Namespace.IPC),
                TestIsolator.plain("mount", Namespace.MOUNT),
                TestIsolator.withSteps("pid", Namespace.PID, steps -> steps.add(Phase.FILESYSTEM,
                        Steps.mount("mount proc on /proc", "proc", "/proc", "proc", 0, null))))).build();
    }

    static Outcome sh(Isola isola, Security security, String script) throws Exception {
        return Outcome.of(isola, ContainerSpec.builder("sh", "-c", script).with(security).build());
    }

    /**
     * Makes one system call by number through perl's syscall() and prints "ok" or the errno number.
     * perl-base is essential on Debian, so no helper has to be built.
     */
    static String syscall(Isola isola, Security security, String name, String args) throws Exception {
        int nr = SyscallTable.host().require(name);
        String script = "my $r = syscall(" + nr + (args.isEmpty() ? "" : ", " + args) + "); print $r < 0 ? ($! + 0) : \"ok\"";
        Outcome outcome = Outcome.of(isola, ContainerSpec.builder("perl", "-e", script).with(security).build());
        if (outcome.status().exitCode() != 0) {
            throw new AssertionError("perl failed: " + outcome);
        }
        return outcome.out();
    }
}
