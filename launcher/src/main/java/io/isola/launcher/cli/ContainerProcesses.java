package io.isola.launcher.cli;

import io.isola.internal.nativ.HostProc;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Lifecycle;
import io.isola.lifecycle.ProcessIdentity;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The processes of a container: every process in its PID namespace when it has one of its own,
 * else its first process alone (a container without a PID namespace has no boundary to list by
 * until it has a cgroup of its own).
 */
final class ContainerProcesses {

    private ContainerProcesses() {}

    static List<ProcessIdentity> of(ContainerState state) {
        // the pids, each namespace link and each start time are read below the host's procfs handle
        int proc = HostProc.shared();
        List<ProcessIdentity> processes = new ArrayList<>();
        if (!Lifecycle.isLive(state) || !state.process().isAlive()) {
            return processes;
        }
        String theirs = link(proc, state.pid() + "/ns/pid");
        // checked again after the read, as every read of /proc/PID here: a process keeps its pid
        // until it is reaped, so alive before and after, the namespace read was its own and not
        // that of a process (another container's) that took the pid meanwhile
        if (!state.process().isAlive()) {
            return processes;
        }
        String ours = link(proc, "self/ns/pid");
        if (theirs == null || theirs.equals(ours)) {
            processes.add(state.process());
            return processes;
        }
        try {
            for (long pid : HostProc.pids()) {
                // the identity first, then the namespace, then the identity again (as above)
                ProcessIdentity process = ProcessIdentity.of(pid);
                if (process.pid() > 0 && theirs.equals(link(proc, pid + "/ns/pid")) && process.isAlive()) {
                    processes.add(process);
                }
            }
        } catch (IOException e) {
            processes.add(state.process());
        }
        return processes;
    }

    /** Read below the host's procfs handle: a mount on the plain /proc/PID/ns could forge the answer. */
    private static String link(int proc, String relative) {
        try {
            return HostProc.readLinkAt(proc, relative);
        } catch (IOException e) {
            return null;
        }
    }
}
