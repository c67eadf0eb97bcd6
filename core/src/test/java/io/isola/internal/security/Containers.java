package io.isola.internal.security;

import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.api.Security;
import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;
import io.isola.testing.Outcome;
import io.isola.testing.TestIsolator;
import io.isola.testing.TestRuntimes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs commands in containers with the test isolators (mount, uts, ipc, pid with its /proc) and a given lock-down. */
final class Containers {

    /** Every namespace the test isolators make, a network namespace too, as a default container has; with pid, a fresh /proc. */
    static final Set<String> ALL = Set.of("uts", "ipc", "mount", "pid", "net");
    /** The host's network namespace, as with {@code --net host}. */
    static final Set<String> HOST_NET = TestRuntimes.ALL;
    /** Without a PID namespace: the host's processes are visible, as with {@code --pid host}. */
    static final Set<String> HOST_PIDS = Set.of("uts", "ipc", "mount");

    private Containers() {}

    /** {@link TestRuntimes#full()}'s isolators and an empty network namespace ("net"). */
    static Isola runtime() {
        List<NamespaceIsolator> isolators = new ArrayList<>(TestRuntimes.full().isolators());
        isolators.add(TestIsolator.plain("net", Namespace.NET));
        return Isola.builder().isolators(isolators).build();
    }

    static Outcome sh(Isola isola, Security security, String script) throws Exception {
        return Outcome.of(
                isola,
                ContainerSpec.builder("sh", "-c", script)
                        .isolators(ALL)
                        .with(security)
                        .build());
    }

    static String syscall(Isola isola, Security security, String name, String args) throws Exception {
        return syscall(isola, security, ALL, name, args);
    }

    /**
     * Makes one system call by number through perl's syscall() and returns "ok" or the errno
     * number. perl-base is essential on Debian, so no helper has to be built.
     */
    static String syscall(Isola isola, Security security, Set<String> isolators, String name, String args)
            throws Exception {
        int nr = SeccompLibrary.number(name).orElseThrow();
        // perl passes string literals read-only, and syscall() insists on writable buffers
        Matcher literals = Pattern.compile("\"[^\"]*\"").matcher(args);
        StringBuilder writable = new StringBuilder();
        for (int i = 0; literals.find(); i++) {
            literals.appendReplacement(
                    writable, Matcher.quoteReplacement("(my $s" + i + " = " + literals.group() + ")"));
        }
        literals.appendTail(writable);
        args = writable.toString();
        String script =
                "my $r = syscall(" + nr + (args.isEmpty() ? "" : ", " + args) + "); print $r < 0 ? ($! + 0) : \"ok\"";
        Outcome outcome = Outcome.of(
                isola,
                ContainerSpec.builder("perl", "-e", script)
                        .isolators(isolators)
                        .with(security)
                        .build());
        if (outcome.status().exitCode() != 0) {
            throw new AssertionError("perl failed: " + outcome);
        }
        return outcome.out();
    }
}
