package io.isola.spi;

import java.nio.file.Path;
import org.osgi.annotation.versioning.ProviderType;

/** The container's first process, seen from the host after the clone and before the gate. */
@ProviderType // implemented by the core; plugins only call it
public interface ClonedChild {

    /** The child's pid in the host's PID namespace. */
    long pid();

    /**
     * A path to open the child's namespace by, for {@code setns}, a pin, a CNI plugin (through a
     * pin), valid in the runtime's process during {@code afterClone}. This default is {@code
     * /proc/<pid>/ns/<name>}; the core gives {@code /proc/self/fd/N} of the namespace it opened
     * through the host's procfs handle and checked to be the child's, so that nothing mounted on
     * the plain /proc can redirect it.
     */
    default Path namespacePath(Namespace namespace) {
        return Path.of("/proc", Long.toString(pid()), "ns", namespace.procName());
    }
}
