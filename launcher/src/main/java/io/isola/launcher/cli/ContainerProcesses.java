package io.isola.launcher.cli;

import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Lifecycle;
import io.isola.lifecycle.ProcessIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The processes of a container: every process in its PID namespace when it has one of its own,
 * else its first process alone (a container without a PID namespace has no boundary to list by
 * until it has a cgroup of its own).
 */
final class ContainerProcesses {

    private ContainerProcesses() {}

    static List<ProcessIdentity> of(ContainerState state) {
        List<ProcessIdentity> processes = new ArrayList<>();
        if (!Lifecycle.isLive(state) || !state.process().isAlive()) {
            return processes;
        }
        String theirs = link(Path.of("/proc", Long.toString(state.pid()), "ns/pid"));
        // checked again after the read, as every read of /proc/PID here: a process keeps its pid
        // until it is reaped, so alive before and after, the namespace read was its own and not
        // that of a process (another container's) that took the pid meanwhile
        if (!state.process().isAlive()) {
            return processes;
        }
        String ours = link(Path.of("/proc/self/ns/pid"));
        if (theirs == null || theirs.equals(ours)) {
            processes.add(state.process());
            return processes;
        }
        try (Stream<Path> all = Files.list(Path.of("/proc"))) {
            all.map(p -> p.getFileName().toString())
                    .filter(name -> name.chars().allMatch(Character::isDigit))
                    .forEach(pid -> {
                        // the identity first, then the namespace, then the identity again (as above)
                        ProcessIdentity process = ProcessIdentity.of(Long.parseLong(pid));
                        if (process.pid() > 0
                                && theirs.equals(link(Path.of("/proc", pid, "ns/pid")))
                                && process.isAlive()) {
                            processes.add(process);
                        }
                    });
        } catch (IOException e) {
            processes.add(state.process());
        }
        return processes;
    }

    private static String link(Path path) {
        try {
            return Files.readSymbolicLink(path).toString();
        } catch (IOException e) {
            return null;
        }
    }
}
