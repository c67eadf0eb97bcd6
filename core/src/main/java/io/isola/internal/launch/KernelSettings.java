package io.isola.internal.launch;

import io.isola.api.ContainerSpec;
import io.isola.api.ProcessAttributes;
import io.isola.api.Sysctls;
import io.isola.internal.nativ.HostProc;
import io.isola.spi.ClonedChild;
import io.isola.spi.Isolation;
import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;
import io.isola.spi.support.NamespaceFile;
import io.isola.spi.support.NamespaceThread;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Host-side settings of the container's kernel objects, made after the clone and before the gate:
 * the OOM score adjustment of its process, and its {@link Sysctls}.
 *
 * <p>Why a {@link NamespaceThread}: {@code /proc/sys/net} and the IPC parameters show the
 * namespaces of the thread that opens them, not of a pid. A new host thread joins the container's
 * network or IPC namespace, writes, and ends, so no other thread of the runtime ever sees it.
 */
final class KernelSettings implements Isolation {

    /** The name failures are reported under. */
    static final NamespaceIsolator OWNER = new CoreOwner("sysctl", Namespace.NET);

    private final Integer oomScoreAdj;
    private final Map<String, String> sysctls;
    private final PathJoins joins;

    private KernelSettings(Integer oomScoreAdj, Map<String, String> sysctls, PathJoins joins) {
        this.oomScoreAdj = oomScoreAdj;
        this.sysctls = sysctls;
        this.joins = joins;
    }

    /**
     * The settings of {@code spec}, or null when it has none. A parameter of a namespace the
     * container neither creates nor joins would change the host's: refused, naming it.
     */
    static KernelSettings of(ContainerSpec spec, Set<Namespace> namespaces, PathJoins joins) {
        Integer oom = spec.extension(ProcessAttributes.class)
                .map(ProcessAttributes::oomScoreAdj)
                .orElse(null);
        Map<String, String> sysctls =
                spec.extension(Sysctls.class).map(Sysctls::values).orElse(Map.of());
        if (oom == null && sysctls.isEmpty()) {
            return null;
        }
        for (String name : sysctls.keySet()) {
            Namespace namespace = namespaceOf(name);
            boolean joined = joins != null && joins.files().containsKey(namespace);
            if (!namespaces.contains(namespace) && !joined) {
                throw new IllegalArgumentException("sysctl \"" + name + "\": the container shares the host's "
                        + namespace.procName()
                        + " namespace, so setting it would change the host's; expected a container"
                        + " with a " + namespace.procName() + " namespace of its own");
            }
        }
        return new KernelSettings(oom, new LinkedHashMap<>(sysctls), joins);
    }

    private static Namespace namespaceOf(String sysctl) {
        return Sysctls.scope(sysctl) == Sysctls.Scope.NET ? Namespace.NET : Namespace.IPC;
    }

    @Override
    public void afterClone(ClonedChild child) throws IOException {
        if (oomScoreAdj != null) {
            write(child.pid() + "/oom_score_adj", oomScoreAdj.toString(), "oom score adjustment");
        }
        Map<Namespace, Map<String, String>> byNamespace = new LinkedHashMap<>();
        sysctls.forEach((name, value) -> byNamespace
                .computeIfAbsent(namespaceOf(name), n -> new LinkedHashMap<>())
                .put(name, value));
        for (Map.Entry<Namespace, Map<String, String>> entry : byNamespace.entrySet()) {
            Namespace namespace = entry.getKey();
            NamespaceFile joined = joins == null ? null : joins.files().get(namespace);
            // the child joins a path's namespace in its own steps, maybe later than now: use the file itself
            NamespaceThread.run(joined != null ? joined.source() : child.namespacePath(namespace), namespace, () -> {
                for (Map.Entry<String, String> sysctl : entry.getValue().entrySet()) {
                    write(
                            Sysctls.procPath(sysctl.getKey()).substring("/proc/".length()),
                            sysctl.getValue(),
                            "sysctl " + sysctl.getKey());
                }
            });
        }
    }

    /**
     * Through the host's procfs handle ({@link HostProc}): a mount on /proc/PID or /proc/sys made
     * meanwhile (a container with a shared bind of /proc) cannot send the value to another file.
     */
    private static void write(String relative, String value, String what) throws IOException {
        try {
            HostProc.write(relative, value.getBytes(StandardCharsets.UTF_8));
        } catch (FileNotFoundException e) {
            throw new IOException(
                    what + ": cannot open /proc/" + relative + " (" + e.getMessage()
                            + "); the kernel has no such parameter in the container's namespace",
                    e);
        } catch (IOException e) {
            throw new IOException(what + " = \"" + value + "\": the kernel refused it (" + e.getMessage() + ")", e);
        }
    }
}
