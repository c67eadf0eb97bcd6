package io.isola.oci;

import com.fasterxml.jackson.databind.JsonNode;
import io.isola.api.Filesystem;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The root and mounts of a config whose container has no mount namespace of its own. The spec
 * says a type missing from {@code linux.namespaces} is the runtime's: the container then shares
 * the runtime's mount table, which it must not change. As runc does, the process is chrooted into
 * {@code root.path}; unlike runc, which makes the mounts in the runtime's namespace (and leaves
 * them there after the container is gone), the mounts and a read-only root are not made, with a
 * warning. A mount namespace joined by path brings its own root: neither is applied there.
 * Masked and read-only paths are refused, as runc refuses them: they would change the runtime's.
 */
final class RootWithoutMountNamespace {

    private static final Logger LOG = LoggerFactory.getLogger(RootWithoutMountNamespace.class);

    private RootWithoutMountNamespace() {}

    /** The filesystem to give the spec (the bare root, chrooted into), or empty for a joined mount namespace. */
    static Optional<Filesystem> read(ConfigFields fields, Filesystem.Builder root, boolean joined) {
        String why = joined
                ? "the container joins a mount namespace by path, whose root and mounts it gets"
                : "the container shares the runtime's mount namespace (no \"mount\" in linux.namespaces)";
        for (String paths : new String[] {"linux.maskedPaths", "linux.readonlyPaths"}) {
            JsonNode node = fields.take(paths);
            if (node != null && !node.isEmpty()) {
                throw ConfigFields.refuse(
                        paths,
                        "cannot be applied: " + why + ", which they would change; expected a"
                                + " \"mount\" namespace in linux.namespaces, or no "
                                + paths.substring("linux.".length()));
            }
        }
        JsonNode mounts = fields.take("mounts");
        if (mounts != null && !mounts.isEmpty()) {
            LOG.warn("config.json: mounts: {} not made: {}, which they would change", mounts.size(), why);
        }
        Filesystem built = root.build();
        if (built.readOnly()) {
            LOG.warn("config.json: root.readonly: not applied: {}", why);
        }
        if (joined) {
            LOG.warn("config.json: root.path: not applied: {}", why);
            return Optional.empty();
        }
        return Optional.of(
                Filesystem.builder().rootfs(built.rootfs().orElseThrow()).build());
    }
}
