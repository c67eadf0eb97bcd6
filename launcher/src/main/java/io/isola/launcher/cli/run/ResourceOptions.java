package io.isola.launcher.cli.run;

import static io.isola.internal.nativ.Signals.SIGKILL;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.ExitStatus;
import io.isola.api.IoThrottle;
import io.isola.api.ResourceControl;
import io.isola.api.Resources;
import io.isola.launcher.cli.LimitOptions;
import io.isola.spi.HostIdentity;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Docker's resource flags ({@code --memory}, {@code --cpus}, ...) and {@code --no-cgroup}, mixed
 * into {@code isola run}. The values are checked while the spec is built, before Felix boots; the
 * cgroup isolator then refuses what this host cannot do before it creates anything.
 */
final class ResourceOptions {

    static final String ISOLATOR = "cgroup";

    @Spec(Spec.Target.MIXEE)
    private CommandSpec mixee;

    // null: as the configuration says (on unless conf/io.isola.ns.cgroup.cfg has enabled = false)
    @Option(
            names = "--cgroup",
            negatable = true,
            description = "New cgroup namespace and a cgroup of its own (needed by the limits below); on by default.")
    private Boolean cgroup;

    @Mixin
    private LimitOptions common = new LimitOptions();

    @Option(
            names = "--oom-kill-group",
            description = "An OOM kill ends every process of the container at once (cgroup v2).")
    private boolean oomKillGroup;

    @Option(names = "--blkio-weight", paramLabel = "N", description = "Relative block I/O weight, 10 to 1000.")
    private Integer blkioWeight;

    @Option(
            names = "--device-read-bps",
            paramLabel = "PATH:RATE",
            description = "Read rate limit of a block device, such as /dev/sda:1mb.")
    private List<String> deviceReadBps = new ArrayList<>();

    @Option(
            names = "--device-write-bps",
            paramLabel = "PATH:RATE",
            description = "Write rate limit of a block device, such as /dev/sda:1mb.")
    private List<String> deviceWriteBps = new ArrayList<>();

    @Option(
            names = "--device-read-iops",
            paramLabel = "PATH:N",
            description = "Read operations per second of a block device.")
    private List<String> deviceReadIops = new ArrayList<>();

    @Option(
            names = "--device-write-iops",
            paramLabel = "PATH:N",
            description = "Write operations per second of a block device.")
    private List<String> deviceWriteIops = new ArrayList<>();

    /**
     * Applies --cgroup/--no-cgroup to the configured {@code isolators}; limits bring the cgroup too.
     * A user other than root (rootless) gets a cgroup only in a cgroup v2 subtree delegated to it
     * ({@link RootlessLimits}); elsewhere, as podman does on cgroup v1, the container gets no cgroup
     * of its own, and limits are refused.
     */
    void selectIsolator(Set<String> isolators) {
        HostIdentity host = HostIdentity.current();
        if (Boolean.FALSE.equals(cgroup)
                || !host.isRoot() && !(wantsCgroup() && RootlessLimits.delegated(host.uid()))) {
            isolators.remove(ISOLATOR);
        } else if (Boolean.TRUE.equals(cgroup) || hasLimits()) {
            isolators.add(ISOLATOR);
        }
    }

    private boolean wantsCgroup() {
        return Boolean.TRUE.equals(cgroup) || hasLimits();
    }

    private boolean hasLimits() {
        return common.any()
                || oomKillGroup
                || blkioWeight != null
                || !deviceReadBps.isEmpty()
                || !deviceWriteBps.isEmpty()
                || !deviceReadIops.isEmpty()
                || !deviceWriteIops.isEmpty();
    }

    /** Adds the limits, if any, to {@code builder}; a limit needs a cgroup. */
    void applyTo(ContainerSpec.Builder builder) {
        Resources.Builder limits = Resources.builder();
        common.addTo(limits);
        limits.oomKillGroup(oomKillGroup);
        if (blkioWeight != null) {
            limits.blkioWeight(blkioWeight);
        }
        deviceReadBps.forEach(v -> limits.ioThrottle(IoThrottle.parse(IoThrottle.Kind.READ_BPS, v)));
        deviceWriteBps.forEach(v -> limits.ioThrottle(IoThrottle.parse(IoThrottle.Kind.WRITE_BPS, v)));
        deviceReadIops.forEach(v -> limits.ioThrottle(IoThrottle.parse(IoThrottle.Kind.READ_IOPS, v)));
        deviceWriteIops.forEach(v -> limits.ioThrottle(IoThrottle.parse(IoThrottle.Kind.WRITE_IOPS, v)));
        Resources resources = limits.build();
        if (resources.isEmpty()) {
            return;
        }
        if (Boolean.FALSE.equals(cgroup)) {
            throw new IllegalArgumentException("resource limits " + resources + ": need a cgroup; drop --no-cgroup");
        }
        HostIdentity host = HostIdentity.current();
        if (!host.isRoot() && !RootlessLimits.delegated(host.uid())) {
            throw new IllegalArgumentException("resource limits " + resources + ": " + RootlessLimits.why(host.uid()));
        }
        builder.with(resources);
    }

    /** {@link #exitCode(ContainerSpec, Container, ExitStatus, PrintWriter)} on this command's stderr. */
    int exitCode(ContainerSpec spec, Container container, ExitStatus status) {
        return exitCode(spec, container, status, mixee.commandLine().getErr());
    }

    /**
     * The CLI's exit status. A container whose process the kernel killed for its memory limit gets
     * one line saying so (Docker's {@code OOMKilled}), from the cgroup's counter, not from the
     * signal, and 137 when that kill ended its first process.
     */
    static int exitCode(ContainerSpec spec, Container container, ExitStatus status, PrintWriter err) {
        boolean oom = container
                .facet(ResourceControl.class)
                .map(ResourceControl::oomKilled)
                .orElse(false);
        if (!oom) {
            return status.shellCode();
        }
        String limit = spec.extension(Resources.class)
                .filter(r -> r.memory().isPresent())
                .map(r -> " (limit " + size(r.memory().getAsLong()) + ")")
                .orElse("");
        err.println("isola: container " + container.id() + " ran out of memory" + limit + ": the kernel killed "
                + (status.signal() == SIGKILL ? "it" : "one of its processes"));
        err.flush();
        return status.signal() == SIGKILL ? 128 + SIGKILL : status.shellCode();
    }

    /** Bytes as the largest exact unit: 33554432 is 32m. */
    static String size(long bytes) {
        String[] units = {"g", "m", "k"};
        int[] shifts = {30, 20, 10};
        for (int i = 0; i < units.length; i++) {
            if (bytes % (1L << shifts[i]) == 0) {
                return (bytes >> shifts[i]) + units[i];
            }
        }
        return bytes + "b";
    }
}
