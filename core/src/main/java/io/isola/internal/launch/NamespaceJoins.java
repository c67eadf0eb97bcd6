package io.isola.internal.launch;

import io.isola.api.IsolaException;
import io.isola.internal.nativ.Fds;
import io.isola.spi.Namespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens, on the host, the namespaces of a running process that exec joins: each one whose
 * {@code /proc/<pid>/ns} link differs from the runtime's own (joining one's own user namespace
 * is refused by the kernel, and the others would change nothing). In {@link Namespace}'s order,
 * the user namespace first: it grants the rights to join the others.
 */
final class NamespaceJoins {

    private NamespaceJoins() {}

    static List<ProgramComposer.JoinedNamespace> open(long pid) {
        List<ProgramComposer.JoinedNamespace> joins = new ArrayList<>();
        try {
            for (Namespace namespace : Namespace.values()) {
                Path theirs = Path.of("/proc", Long.toString(pid), "ns", namespace.procName());
                Path ours = Path.of("/proc/self/ns", namespace.procName());
                if (!Files.exists(ours, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    continue; // a kernel without this namespace type
                }
                if (Files.readSymbolicLink(theirs).equals(Files.readSymbolicLink(ours))) {
                    continue;
                }
                joins.add(new ProgramComposer.JoinedNamespace(namespace, Fds.open(theirs.toString(), Fds.O_RDONLY, 0)));
            }
            return joins;
        } catch (NoSuchFileException e) {
            closeAll(joins);
            throw new IsolaException("process " + pid + " does not exist any more");
        } catch (IOException | RuntimeException e) {
            closeAll(joins);
            throw new IsolaException("cannot open the namespaces of process " + pid + ": " + e.getMessage(), e);
        }
    }

    static void closeAll(List<ProgramComposer.JoinedNamespace> joins) {
        joins.forEach(join -> Fds.closeQuietly(join.fd()));
    }
}
