package io.isola.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What {@code start} and {@code delete} read of a created container's config.json when create
 * saved nothing of it ({@link CreatedConfig}: a container of an earlier version): its hooks and
 * its {@code linux.cgroupsPath}, from one parse. Not the translation that {@code create} made of it
 * (root, mounts, namespaces, limits, checked against this host): that was most of a served start's
 * and delete's work (two reads of the file, then a third for the cgroup path), and what it checks
 * is create's business. So a root that the engine has removed since no longer keeps the poststop
 * hooks from running, as it does not with runc, which runs them from the config it saved at create.
 * A config that is gone, not JSON, or beyond {@link ConfigLimits} gives neither hooks nor a path.
 */
final class CreatedBundle {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode root;
    private final Map<String, List<Hook>> hooks;

    private CreatedBundle(JsonNode root) {
        this.root = root;
        this.hooks = hooksOf(root);
    }

    private static Map<String, List<Hook>> hooksOf(JsonNode root) {
        if (root == null) {
            return Map.of();
        }
        try {
            return ConfigTranslator.hooks(root);
        } catch (IllegalArgumentException e) {
            return Map.of(); // as a create would have refused them: none run
        }
    }

    /** The config of {@code bundle} (null: a container that has none, not an OCI one). */
    static CreatedBundle of(String bundle) {
        if (bundle == null) {
            return new CreatedBundle(null);
        }
        Path config = Path.of(bundle, "config.json");
        try {
            ConfigLimits.check(config, "");
            JsonNode root = JSON.readTree(config.toFile());
            return new CreatedBundle(root != null && root.isObject() ? root : null);
        } catch (IOException | IllegalArgumentException e) {
            return new CreatedBundle(null); // the bundle changed or went away: nothing of it can be found
        }
    }

    /** Its hooks and cgroup path as create would have saved them ({@link CreatedConfig}). */
    CreatedConfig asCreated(boolean systemdCgroup) {
        return new CreatedConfig(hooks, cgroupPath(systemdCgroup), root == null ? null : ExecProcess.inherited(root));
    }

    /** The hooks of {@code kind}; none when the config cannot be read or its hooks are not valid ones. */
    List<Hook> hooks(String kind) {
        return hooks.getOrDefault(kind, List.of());
    }

    /** The config's cgroupsPath as isola used it, or null (none, or the config cannot be read). */
    String cgroupPath(boolean systemdCgroup) {
        JsonNode path = root == null ? null : root.path("linux").get("cgroupsPath");
        if (path == null || !path.isTextual()) {
            return null;
        }
        try {
            return ResourcesSection.cgroupPath(path.asText(), systemdCgroup);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
