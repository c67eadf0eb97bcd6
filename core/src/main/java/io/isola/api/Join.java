package io.isola.api;

/**
 * Spec extension for {@code exec}: instead of new namespaces, the process joins those of the
 * running process {@code pid} (every namespace whose {@code /proc/<pid>/ns} link differs from the
 * runtime's own; the user namespace first, then the kernel's order) and its cgroups. The process
 * that runs the command is created after the joins, so it is inside the container's PID
 * namespace. The caller vouches that {@code pid} is the container's process (its state checks the
 * process start time); no isolators run for such a spec.
 *
 * @param pid the container's first process, in the runtime's PID namespace
 */
public record Join(long pid) {

    public Join {
        if (pid <= 0) {
            throw new IllegalArgumentException("process id " + pid + ": expected a positive number");
        }
    }
}
