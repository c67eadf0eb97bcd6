package io.isola.internal.launch;

import io.isola.api.IsolaException;
import io.isola.internal.chain.ClonePlan;
import io.isola.internal.nativ.HeldProcess;
import io.isola.internal.nativ.NativeException;
import io.isola.internal.nativ.Syscalls;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** The planner's side of a {@link RemoteClone}: what a plan can carry, and its fds placed to travel. */
final class RemoteClones {

    private static final int ENOMEM = 12;

    private RemoteClones() {}

    /**
     * Throws {@link RemoteClone.Unsupported} when the program would keep fds of this process that
     * an isolator opened, or preserved ones: they would mean nothing, or something else, in the
     * cloning one (those the planner opens for the program itself travel: {@link #travelling}).
     */
    static void requirePlannable(List<Integer> kept, List<Integer> protocolFds, StdioPlan stdio) {
        TreeSet<Integer> foreign = new TreeSet<>(kept);
        protocolFds.forEach(foreign::remove);
        if (!foreign.isEmpty()) {
            throw new RemoteClone.Unsupported("the container keeps the planner's fds " + foreign
                    + " (a joined namespace, a terminal or preserved fds), which a clone plan"
                    + " cannot carry");
        }
        if (stdio.containerPty() != null) {
            throw new RemoteClone.Unsupported("the container's terminal is made by the planner (a console socket or a"
                    + " kept terminal), which a clone plan cannot carry");
        }
    }

    /** {@code joins} with each fd {@link #lift}ed; on a failure every fd is closed and none is left in the list. */
    static List<ProgramComposer.JoinedNamespace> liftAll(
            Syscalls host, List<ProgramComposer.JoinedNamespace> joins, RemoteClone remote) {
        List<ProgramComposer.JoinedNamespace> lifted = new ArrayList<>();
        try {
            for (ProgramComposer.JoinedNamespace join : joins) {
                lifted.add(new ProgramComposer.JoinedNamespace(join.namespace(), lift(host, join.fd(), remote)));
            }
            return lifted;
        } catch (RuntimeException e) {
            lifted.forEach(join -> host.closeQuietly(join.fd()));
            joins.subList(lifted.size() + 1, joins.size()).forEach(join -> host.closeQuietly(join.fd()));
            throw e;
        }
    }

    /**
     * The fds of this process's that the program names besides the protocol's, lifted already,
     * which travel with the plan: the namespaces to join (the PID one too: the cloning thread
     * joins it), the streams' files, the /proc of an AppArmor profile.
     */
    static List<Integer> travelling(List<ProgramComposer.JoinedNamespace> joins, StdioPlan stdio, int hostProc) {
        List<Integer> fds = new ArrayList<>();
        joins.forEach(join -> fds.add(join.fd()));
        for (int fd : stdio.childFds) {
            if (fd >= 0) {
                fds.add(fd);
            }
        }
        if (hostProc >= 0) {
            fds.add(hostProc);
        }
        return List.copyOf(fds);
    }

    /**
     * A close-on-exec copy of {@code fd} numbered from {@code remote}'s floor up (the number the
     * cloning process will give it, free there), {@code fd} itself closed. Not plannable
     * ({@link RemoteClone.Unsupported}, nothing left open: the command runs in the cloning
     * process instead) when that number is at or above the cloning process's open-file limit,
     * which could not place it there: its fcntl failed with EINVAL, after the plan was sent. A
     * planner's own table decides the number (its lowest free one from the floor up), so a
     * planner holding many fds meets a low limit sooner.
     */
    static int lift(Syscalls host, int fd, RemoteClone remote) {
        int lifted;
        try {
            lifted = host.dupCloexec(fd, remote.fdFloor());
        } finally {
            host.closeQuietly(fd);
        }
        if (lifted >= remote.fdLimit()) {
            host.closeQuietly(lifted);
            throw new RemoteClone.Unsupported("the new process needs fd " + lifted + " in the calling process, whose"
                    + " open-file limit (RLIMIT_NOFILE) is " + remote.fdLimit() + ": it can hold fds below "
                    + remote.fdLimit() + " only (its free ones from " + remote.fdFloor()
                    + " up were asked for); raise the limit (ulimit -n) to " + (lifted + 1) + " or more");
        }
        return lifted;
    }

    /** Has {@code remote}'s process clone the child that {@code plan} describes, held once it is there. */
    static HeldProcess clone(RemoteClone remote, ClonePlan plan) {
        try {
            return remote.cloner().clone(plan);
        } catch (NativeException e) {
            if (e.errno() == ENOMEM && plan.pidNamespaceFd() >= 0) {
                // the kernel's answer to a clone into a PID namespace whose init has gone
                throw new IsolaException(
                        "the container ended before its new process could be created in it (clone: ENOMEM)", e);
            }
            throw e;
        }
    }
}
