package io.isola.internal.launch;

import io.isola.api.IsolaException;
import io.isola.api.Join;
import io.isola.internal.nativ.HeldProcess;
import io.isola.internal.nativ.Syscalls;
import java.util.List;

/**
 * What an exec joins, read from the container's process while a pidfd holds it: its namespaces
 * (open) and its cgroups. The pidfd is checked to be the process that started at the {@link Join}'s
 * start time before anything is read, and to be still unreaped after: a reaped process's pid can
 * go to another (a host process, whose namespaces are the runtime's own, so the exec would run
 * on the host), and a pid cannot be reused while the process that had it is unreaped, so what was
 * read in between is the container's.
 *
 * @param namespaces the namespaces to join, open, in the kernel's order
 * @param cgroups the cgroups to join
 */
record JoinedProcess(List<ProgramComposer.JoinedNamespace> namespaces, CgroupJoin cgroups) {

    static JoinedProcess read(Join join, Syscalls host) {
        HeldProcess process = host.openProcess(join.pid(), join.startTime(), join.pidfsInode());
        if (process == null) {
            throw ended(join);
        }
        try (process) {
            int proc = host.openHostProc(); // one for both reads
            try {
                return read(join, process, proc, host);
            } finally {
                host.closeQuietly(proc);
            }
        }
    }

    private static JoinedProcess read(Join join, HeldProcess process, int proc, Syscalls host) {
        List<ProgramComposer.JoinedNamespace> namespaces = NamespaceJoins.open(join.pid(), proc, host);
        try {
            CgroupJoin cgroups = CgroupJoin.of(join.pid(), proc, host);
            if (!process.signal(0)) {
                throw ended(join);
            }
            return new JoinedProcess(namespaces, cgroups);
        } catch (RuntimeException e) {
            NamespaceJoins.closeAll(namespaces, host);
            if (!process.signal(0)) {
                throw ended(join);
            }
            throw e;
        }
    }

    private static IsolaException ended(Join join) {
        return new IsolaException("cannot exec: process " + join.pid() + " has ended"
                + (join.startTime() > 0 ? " (the container's process, started at " + join.startTime() + ")" : ""));
    }
}
