package io.isola.api;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Spec extension: the mount propagation of the container's root, as an OCI config.json's {@code
 * linux.rootfsPropagation} asks (mount_namespaces(7)). Without it the container's mounts are
 * private. {@code slave} and {@code shared} (and their recursive forms) make the runtime's tree a
 * slave of the host's before the root is built, so mounts the host makes later below the root's
 * source reach the container (Kubernetes' HostToContainer), and nothing the container mounts
 * reaches the host; {@code shared} also makes the container's root a peer group of its own.
 *
 * @param mode private, rprivate, slave, rslave, shared, rshared, unbindable or runbindable
 */
public record RootPropagation(String mode) {

    private static final long MS_REC = 16384,
            MS_UNBINDABLE = 1 << 17,
            MS_PRIVATE = 1 << 18,
            MS_SLAVE = 1 << 19,
            MS_SHARED = 1 << 20;
    private static final Map<String, Long> FLAGS = Map.of(
            "private",
            MS_PRIVATE,
            "rprivate",
            MS_PRIVATE | MS_REC,
            "slave",
            MS_SLAVE,
            "rslave",
            MS_SLAVE | MS_REC,
            "shared",
            MS_SHARED,
            "rshared",
            MS_SHARED | MS_REC,
            "unbindable",
            MS_UNBINDABLE,
            "runbindable",
            MS_UNBINDABLE | MS_REC);

    public RootPropagation {
        if (!FLAGS.containsKey(mode)) {
            throw new IllegalArgumentException(
                    "root propagation \"" + mode + "\": expected one of " + new TreeSet<>(FLAGS.keySet()));
        }
    }

    /** Every mode's name, as OCI's and Docker's propagation options spell them. */
    public static Set<String> modes() {
        return FLAGS.keySet();
    }

    /** The mount(2) flags that set it. */
    public long flags() {
        return FLAGS.get(mode);
    }

    /** Whether mounts of the host's are to reach the container: a slave or shared root. */
    public boolean receivesFromHost() {
        return mode.endsWith("slave") || mode.endsWith("shared");
    }
}
