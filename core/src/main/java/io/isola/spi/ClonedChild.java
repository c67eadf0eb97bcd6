package io.isola.spi;

import java.nio.file.Path;
import org.osgi.annotation.versioning.ProviderType;

/** The container's first process, seen from the host after the clone and before the gate. */
@ProviderType // implemented by the core; plugins only call it
public interface ClonedChild {

    /** The child's pid in the host's PID namespace. */
    long pid();

    /** {@code /proc/<pid>/ns/<name>}: what CNI plugins and {@code setns} take. */
    default Path namespacePath(Namespace namespace) {
        return Path.of("/proc", Long.toString(pid()), "ns", namespace.procName());
    }
}
