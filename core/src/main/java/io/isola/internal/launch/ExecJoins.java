package io.isola.internal.launch;

import io.isola.spi.Namespace;
import java.util.List;

/**
 * The namespaces an exec joins ({@link NamespaceJoins}, in the kernel's order) and how its child
 * gets into them. The exec child is cloned vfork-style, sharing the runtime's memory: it joins
 * each namespace with setns, then spawns the process that runs the command, since setns of a PID
 * namespace only places the caller's children. setns of a time namespace moves the caller itself
 * but wants a process alone in its memory (EUSERS otherwise), so with a time namespace to join
 * the child is cloned fork-style instead, born in the container's PID namespace (the cloning
 * thread joins it for the clone, as for a create that joins one by path), and joins the others
 * itself: it is the process that runs the command, as runc's exec is. A thin client's exec is
 * cloned the same way ({@code remote}): the client reports one pid, its own child, which must
 * be the process that runs the command (a spawned sibling's pid is in the client's memory only).
 *
 * @param all every namespace to join, user first
 * @param remote whether another process clones the child (a thin exec)
 */
record ExecJoins(List<ProgramComposer.JoinedNamespace> all, boolean remote) {

    static final ExecJoins NONE = new ExecJoins(List.of());

    ExecJoins {
        all = List.copyOf(all);
    }

    ExecJoins(List<ProgramComposer.JoinedNamespace> all) {
        this(all, false);
    }

    /** Whether the child must not share the runtime's memory: it joins a time namespace, or another process clones it. */
    boolean forked() {
        return remote || all.stream().anyMatch(join -> join.namespace() == Namespace.TIME);
    }

    /** The namespaces the child joins with setns: all of them, but the PID one when the cloning thread joins it. */
    List<ProgramComposer.JoinedNamespace> bySetns() {
        return forked()
                ? all.stream().filter(join -> join.namespace() != Namespace.PID).toList()
                : all;
    }

    /** The PID namespace the cloning thread joins for the clone, or -1 (the child spawns into it instead, or shares the runtime's). */
    int pidNamespaceFd() {
        return forked()
                ? all.stream()
                        .filter(join -> join.namespace() == Namespace.PID)
                        .mapToInt(ProgramComposer.JoinedNamespace::fd)
                        .findFirst()
                        .orElse(-1)
                : -1;
    }

    /** Whether the child spawns the process that runs the command (see the class comment). */
    boolean spawns() {
        return !all.isEmpty() && !forked();
    }
}
