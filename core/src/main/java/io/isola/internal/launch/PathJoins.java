package io.isola.internal.launch;

import io.isola.api.ContainerSpec;
import io.isola.api.NamespacePaths;
import io.isola.spi.ChildSteps;
import io.isola.spi.Isolation;
import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;
import io.isola.spi.Phase;
import io.isola.spi.Steps;
import io.isola.spi.support.NamespaceFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * The namespaces a container joins by path ({@link NamespacePaths}): the host opens each file
 * before the clone (a missing or wrong file is refused before anything exists) and holds it until
 * the container is released; the child joins each with {@code setns} as its first setup steps, so
 * every later step (a fresh sysfs, an mqueue mount) already sees the joined namespace. The user
 * namespace comes first (it grants the rights to join the others), the mount namespace last (its
 * root replaces the child's). A PID namespace is joined by the cloning thread instead ({@link
 * #pidNamespace}): setns of one applies only to children. Namespaces created beside a joined user
 * namespace follow the joins ({@link NamespacesAfterJoin}). A joined UTS namespace gets the spec's
 * host and domain names, as runc and crun set them (containerd names every container of a pod).
 */
final class PathJoins implements Isolation {

    /** The name failures are reported under. */
    static final NamespaceIsolator OWNER = new CoreOwner("join", Namespace.NET);

    private final Map<Namespace, NamespaceFile> files;
    private final String hostname;
    private final String domainname;

    private PathJoins(Map<Namespace, NamespaceFile> files, String hostname, String domainname) {
        this.files = files;
        this.hostname = hostname;
        this.domainname = domainname;
    }

    static Namespace namespace(String procName) {
        for (Namespace namespace : Namespace.values()) {
            if (namespace.procName().equals(procName)) {
                return namespace;
            }
        }
        throw new IllegalArgumentException("namespace \"" + procName + "\": unknown");
    }

    /** Opens every path; throws naming the one that is missing or not a namespace file, holding nothing open then. */
    static PathJoins open(NamespacePaths paths, ContainerSpec spec) {
        Map<Namespace, NamespaceFile> files = new EnumMap<>(Namespace.class);
        try {
            paths.paths().forEach((name, path) -> {
                Namespace namespace = namespace(name);
                if (!Files.exists(Path.of(path))) {
                    throw new IllegalArgumentException(name + " namespace path \"" + path + "\": no such file;"
                            + " expected a namespace file such as /proc/PID/ns/" + name);
                }
                NamespaceFile file;
                try {
                    file = NamespaceFile.open(Path.of(path));
                } catch (IllegalStateException e) {
                    throw new IllegalArgumentException(name + " namespace path \"" + path + "\": " + e.getMessage(), e);
                }
                files.put(namespace, file);
            });
        } catch (RuntimeException e) {
            files.values().forEach(NamespaceFile::close);
            throw e;
        }
        return new PathJoins(
                files, spec.hostname().orElse(null), spec.domainname().orElse(null));
    }

    Map<Namespace, NamespaceFile> files() {
        return files;
    }

    /**
     * Whether the child must not share the runtime's memory (a vfork-style clone): the kernel lets
     * only a process whose memory no other shares join a user namespace (EINVAL) or a time
     * namespace (EUSERS).
     */
    boolean needsOwnMemory() {
        return files.containsKey(Namespace.USER) || files.containsKey(Namespace.TIME);
    }

    /** The PID namespace to clone the child into, or null. */
    NamespaceFile pidNamespace() {
        return files.get(Namespace.PID);
    }

    /** ENTRY, and first of all contributions: nothing else may run in the namespaces being replaced. */
    @Override
    public void contribute(ChildSteps steps) {
        files.forEach((namespace, file) -> { // an EnumMap: the kernel's order, user first and mount last
            if (namespace == Namespace.PID) {
                return;
            }
            steps.keepOpen(file.fd());
            // EINVAL here means the file is not a namespace of this type
            steps.add(Phase.ENTRY, file.join(namespace));
        });
        if (files.containsKey(Namespace.UTS)) {
            if (hostname != null) {
                steps.add(Phase.NAMES, Steps.sethostname(hostname));
            }
            if (domainname != null) {
                steps.add(Phase.NAMES, Steps.setdomainname(domainname));
            }
        }
    }

    @Override
    public void close() {
        files.values().forEach(NamespaceFile::close);
    }
}
