package io.isola.internal.launch;

import io.isola.api.ContainerSpec;
import io.isola.api.Network;
import io.isola.spi.ChildSteps;
import io.isola.spi.Duty;
import io.isola.spi.Isolation;
import io.isola.spi.IsolationRequest;
import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;
import io.isola.spi.Phase;
import io.isola.spi.Step;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An isolator of core's tests in place of a bundle's (the ns-* bundles depend on core): it has the
 * real one's name, namespace, duties and rule of application, creates nothing, and adds one step to
 * the phase where the real one does its main work, naming what the request asked of it. A golden
 * list then shows which isolators a spec selects, in which order, and what core puts around them.
 */
record StandInIsolator(String name, Namespace namespace, Phase phase, Set<Duty> duties) implements NamespaceIsolator {

    /** The seven bundles' isolators, as they declare themselves. */
    static final List<StandInIsolator> BUNDLES = List.of(
            new StandInIsolator("user", Namespace.USER, Phase.IDENTITY, Set.of()),
            new StandInIsolator("pid", Namespace.PID, Phase.FILESYSTEM, Set.of(Duty.MOUNT_PROC)),
            new StandInIsolator("uts", Namespace.UTS, Phase.NAMES, Set.of()),
            new StandInIsolator("ipc", Namespace.IPC, Phase.ENTRY, Set.of()),
            new StandInIsolator("net", Namespace.NET, Phase.ENTRY, Set.of(Duty.BIND_REQUESTS)),
            new StandInIsolator("cgroup", Namespace.CGROUP, Phase.ENTRY, Set.of(Duty.MOUNT_CGROUPFS)),
            new StandInIsolator(
                    "mount", Namespace.MOUNT, Phase.FILESYSTEM, Set.of(Duty.MOUNT_PROC, Duty.BIND_REQUESTS)));

    @Override
    public boolean servesWithoutNamespace() {
        return namespace == Namespace.CGROUP; // the cgroup isolator sets limits in the host's namespace too
    }

    @Override
    public boolean appliesTo(ContainerSpec spec) {
        // as the net bundle: a container on the host's network has nothing for it to do
        return namespace != Namespace.NET
                || spec.extension(Network.class)
                        .map(network -> network.mode() != Network.Mode.HOST)
                        .orElse(true);
    }

    @Override
    public Isolation prepare(IsolationRequest request) {
        String created = Arrays.stream(Namespace.values())
                .filter(request::creates)
                .map(Namespace::procName)
                .collect(Collectors.joining(" "));
        String provided = duties.stream()
                .filter(request::provided)
                .map(Duty::name)
                .sorted()
                .collect(Collectors.joining(" "));
        Step step = Step.call(
                "stand-in for the " + name + " isolator (created: " + created + "; duties: " + provided + ")",
                "getpid");
        return new Isolation() {
            @Override
            public void contribute(ChildSteps steps) {
                steps.add(phase, step);
            }
        };
    }
}
