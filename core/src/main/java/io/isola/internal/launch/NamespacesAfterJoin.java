package io.isola.internal.launch;

import static io.isola.internal.nativ.Signals.SIGKILL;

import io.isola.spi.Arg;
import io.isola.spi.LibcCall;
import io.isola.spi.Namespace;
import io.isola.spi.Phase;
import io.isola.spi.Step;
import io.isola.spi.support.CredentialSteps;
import java.util.EnumSet;
import java.util.Set;

/**
 * The namespaces a container creates beside a user namespace it joins by path, as Kubernetes'
 * user-namespaced pods have it: an app container joins the pod's user, network, IPC and UTS
 * namespaces and creates its own mount, PID and cgroup ones. The joined user namespace must own
 * them, so the clone's flags cannot create them (the clone runs before the child could join);
 * as runc's nsexec does, the child joins first ({@link PathJoins}), takes the joined namespace's
 * root, unshares each, and for a new PID namespace, which unshare gives only to the caller's
 * children, spawns the process that becomes the container's PID 1: the sibling the host waits at
 * the gate, reports and reaps, while the first child exits. The host's work on the child (cgroup, idmapped root, staged
 * binds) waits for the checkpoint after the spawn, when every namespace exists.
 *
 * @param created the namespaces the container creates, none of them made by the clone
 */
record NamespacesAfterJoin(Set<Namespace> created) {

    private static final int PR_SET_PDEATHSIG = 1;

    NamespacesAfterJoin {
        created = Set.copyOf(created);
    }

    /**
     * For a container that joins {@code joined} and creates {@code created}: null unless it joins
     * a user namespace and creates another. A new time namespace is refused: its offsets are
     * written before the clone, by a runtime thread, so the runtime's user namespace would own it.
     */
    static NamespacesAfterJoin of(Set<Namespace> joined, Set<Namespace> created, boolean newTimeNamespace) {
        if (!joined.contains(Namespace.USER) || (created.isEmpty() && !newTimeNamespace)) {
            return null;
        }
        if (newTimeNamespace || created.contains(Namespace.TIME)) {
            throw new IllegalArgumentException(
                    "a new time namespace beside a user namespace joined by path: the"
                            + " runtime's user namespace would own it; expected the time namespace joined by path too, or none");
        }
        Set<Namespace> ordered = EnumSet.noneOf(Namespace.class);
        ordered.addAll(created);
        return new NamespacesAfterJoin(ordered);
    }

    /** Whether the child spawns the container's process: it creates a PID namespace. */
    boolean spawns() {
        return created.contains(Namespace.PID);
    }

    /**
     * After the joins' ENTRY steps: an unshare per namespace, in the kernel's order, then the
     * spawn and its checkpoint. {@code outlivesHost} (an OCI create): no parent-death signal for
     * the sibling, which a fork loses and a runtime start sets again.
     */
    void contribute(Contribution steps, boolean outlivesHost) {
        // the joined namespace's root, as runc's nsexec becomes: the runtime's host ids are nobody
        // there, and files the child makes (its /dev) need an owner the namespace maps (EOVERFLOW)
        steps.add(Phase.ENTRY, CredentialSteps.setresgid(0));
        steps.add(Phase.ENTRY, CredentialSteps.setresuid(0));
        for (Namespace namespace : Namespace.values()) { // the kernel's order
            if (created.contains(namespace)) {
                steps.add(
                        Phase.ENTRY,
                        Step.call(
                                "create the " + namespace.procName() + " namespace, owned by the joined user namespace",
                                LibcCall.UNSHARE,
                                Arg.word(namespace.cloneFlag())));
            }
        }
        if (!spawns()) {
            return;
        }
        steps.spawn(Phase.ENTRY, "create the container's process in its new PID namespace");
        // the fork-style spawner reports the sibling's pid; the sibling writes nothing before the host has it
        steps.checkpoint(Phase.ENTRY, "wait until the host knows the container's process");
        if (!outlivesHost) {
            steps.add(
                    Phase.ENTRY,
                    Step.call(
                            "set the parent-death signal",
                            LibcCall.PRCTL,
                            Arg.word(PR_SET_PDEATHSIG),
                            Arg.word(SIGKILL)));
        }
    }
}
