package io.isola.launcher.cli.run;

import io.isola.api.IsolaException;
import io.isola.api.ProcessUser;
import io.isola.internal.nativ.DirectoryFd;
import io.isola.internal.nativ.HostProc;
import io.isola.lifecycle.ProcessIdentity;
import java.io.IOException;
import java.util.List;

/**
 * {@code exec --user}: the user of a process that joins a running container, as {@code run
 * --user} resolves it, names from the container's own /etc/passwd and /etc/group, read below a
 * descriptor of its root as it is now ({@link ContainerRootReader}: the kernel resolves their
 * links inside it, whatever the container does meanwhile).
 */
public final class ExecUser {

    private ExecUser() {}

    public static ProcessUser resolve(String user, ProcessIdentity container) {
        if (!ContainerUsers.hasNames(user)) {
            return ProcessUser.parse(user);
        }
        DirectoryFd root;
        try {
            // below the host's procfs handle: a directory or link that a container with a shared
            // bind of the host's /proc mounted on the plain /proc/PID would name the host's root
            root = DirectoryFd.adopt(HostProc.openRoot(container.pid()), "/proc/" + container.pid() + "/root");
        } catch (IOException e) {
            throw new IsolaException("--user \"" + user + "\": cannot open the container's root: " + e.getMessage());
        }
        try (ContainerRootReader files = new ContainerRootReader(root)) {
            // the root opened is the container's only if its pid still is: a host process that took
            // the pid since would have had the host's /etc/passwd read for names (no start time: a
            // state of a version that did not record one, which exec's join takes as it is too)
            if (container.startTime() > 0 && !container.isAlive()) {
                throw new IsolaException("--user \"" + user + "\": process " + container.pid() + " has ended");
            }
            return new ContainerUsers(files).resolve(user, List.of());
        }
    }
}
