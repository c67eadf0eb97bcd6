package io.isola.launcher.cli.run;

import io.isola.api.ProcessUser;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code exec --user}: the user of a process that joins a running container, as {@code run
 * --user} resolves it, names from the container's own /etc/passwd and /etc/group, read through
 * {@code /proc/PID/root} (its root as it is now, links resolved inside it).
 */
public final class ExecUser {

    private ExecUser() {}

    public static ProcessUser resolve(String user, long containerPid) {
        if (!ContainerUsers.hasNames(user)) {
            return ProcessUser.parse(user);
        }
        Path root = Path.of("/proc", Long.toString(containerPid), "root");
        return new ContainerUsers(new RootFileReader(List.of(root))).resolve(user, List.of());
    }
}
