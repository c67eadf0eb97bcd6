package io.isola.launcher.cli.run;

import io.isola.api.ContainerSpec;
import io.isola.api.Filesystem;
import io.isola.api.ProcessAttributes;
import io.isola.api.Resources;
import io.isola.api.Sysctls;
import io.isola.api.TmpfsMount;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * Docker's {@code --sysctl}, {@code --oom-score-adj} and {@code --shm-size} of {@code run}: the
 * container's own kernel objects. Sysctls are written from inside the container's namespaces
 * (core's KernelSettings), never on the host, so only the namespaced ones are taken, as runc takes them.
 */
final class KernelOptions {

    @Option(
            names = "--sysctl",
            paramLabel = "NAME=VALUE",
            description = "Set a namespaced kernel parameter in the container: net.* (needs its own network), "
                    + "kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.* (need its own IPC namespace); repeatable.")
    private List<String> sysctls = new ArrayList<>();

    @Option(
            names = "--oom-score-adj",
            paramLabel = "N",
            description = "The OOM killer's adjustment of the container's process, -1000 to 1000.")
    private Integer oomScoreAdj;

    @Option(
            names = "--shm-size",
            paramLabel = "SIZE",
            description = "Size of the container's /dev/shm, such as 128m (default: 64m).")
    private String shmSize;

    /** Adds what was asked for to {@code builder}; {@code isolators} are the container's, to refuse what would reach the host. */
    void applyTo(ContainerSpec.Builder builder, Set<String> isolators) {
        if (!sysctls.isEmpty()) {
            builder.with(new Sysctls(sysctls(isolators)));
        }
        if (oomScoreAdj != null) {
            try {
                builder.with(new ProcessAttributes(null, oomScoreAdj));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--oom-score-adj " + oomScoreAdj + ": expected -1000 to 1000", e);
            }
        }
        if (shmSize != null) {
            shm(builder, isolators);
        }
    }

    private Map<String, String> sysctls(Set<String> isolators) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String entry : sysctls) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(
                        "--sysctl \"" + entry + "\": expected NAME=VALUE, such as net.ipv4.ip_forward=1");
            }
            String name = entry.substring(0, eq);
            Sysctls.Scope scope;
            try {
                scope = Sysctls.scope(name);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--" + e.getMessage(), e);
            }
            // checked here too, before anything starts, to name the option that took the namespace away
            if (scope == Sysctls.Scope.NET && !isolators.contains("net")) {
                throw new IllegalArgumentException(
                        "--sysctl " + name + ": the container shares the host's network, so it would"
                                + " change the host's; drop --network host (or --net host)");
            }
            if (scope == Sysctls.Scope.IPC && !isolators.contains("ipc")) {
                throw new IllegalArgumentException(
                        "--sysctl " + name + ": the container shares the host's IPC namespace, so it"
                                + " would change the host's; drop --ipc host (or --no-ipc)");
            }
            values.put(name, entry.substring(eq + 1));
        }
        return values;
    }

    /** A /dev/shm of the asked size in place of the default one (nosuid, nodev, noexec, mode 1777, as Docker's). */
    private void shm(ContainerSpec.Builder builder, Set<String> isolators) {
        long bytes = Resources.parseSize("--shm-size", shmSize);
        if (bytes <= 0) {
            throw new IllegalArgumentException(
                    "--shm-size \"" + shmSize + "\": expected more than 0 bytes, such as 64m");
        }
        if (!isolators.contains("mount")) {
            throw new IllegalArgumentException(
                    "--shm-size " + shmSize + ": needs the container's own /dev; drop --no-mount");
        }
        Filesystem filesystem = builder.build()
                .extension(Filesystem.class)
                .orElseGet(() -> Filesystem.builder().build());
        builder.with(filesystem.toBuilder()
                .tmpfs(new TmpfsMount(SHM, bytes, 01777, true))
                .build());
    }

    /** Where the container's POSIX shared memory lives. */
    static final String SHM = "/dev/shm";
}
