package io.isola.internal.launch;

import io.isola.api.IsolaException;
import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.Syscalls;
import io.isola.spi.Namespace;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens, on the host, the namespaces of a running process that exec joins: each one whose
 * {@code /proc/<pid>/ns} link (below the host's procfs handle) differs from the runtime's own (joining one's own user namespace
 * is refused by the kernel, and the others would change nothing). In {@link Namespace}'s order,
 * the user namespace first: it grants the rights to join the others.
 */
final class NamespaceJoins {

    private NamespaceJoins() {}

    /**
     * Both sides looked up below {@code proc}, the host's procfs handle: a mount on the plain
     * /proc/PID/ns (a container given a shared bind of the host's /proc can make one) could show
     * links that read as the runtime's own namespaces, and the exec would join none and run on the
     * host.
     */
    static List<ProgramComposer.JoinedNamespace> open(long pid, int proc, Syscalls host) {
        List<ProgramComposer.JoinedNamespace> joins = new ArrayList<>();
        try {
            for (Namespace namespace : Namespace.values()) {
                // relative to the handle (readlinkat, openat): a path through /proc/self/fd/N would
                // walk the plain /proc to reach it, and a mount over /proc/<runtime>/fd takes it
                String theirs = pid + "/ns/" + namespace.procName();
                String ours;
                try {
                    ours = host.readlinkAt(proc, "self/ns/" + namespace.procName());
                } catch (NoSuchFileException e) {
                    continue; // a kernel without this namespace type
                }
                if (host.readlinkAt(proc, theirs).equals(ours)) {
                    continue;
                }
                joins.add(new ProgramComposer.JoinedNamespace(namespace, host.openAt(proc, theirs, Fds.O_RDONLY)));
            }
            return joins;
        } catch (NoSuchFileException e) {
            closeAll(joins, host);
            throw new IsolaException("cannot exec: process " + pid + " has ended");
        } catch (IOException | RuntimeException e) {
            closeAll(joins, host);
            throw new IsolaException("cannot open the namespaces of process " + pid + ": " + e.getMessage(), e);
        }
    }

    static void closeAll(List<ProgramComposer.JoinedNamespace> joins, Syscalls host) {
        joins.forEach(join -> host.closeQuietly(join.fd()));
    }
}
