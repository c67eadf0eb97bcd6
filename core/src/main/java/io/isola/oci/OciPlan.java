package io.isola.oci;

import com.fasterxml.jackson.databind.JsonNode;
import io.isola.api.ContainerSpec;
import java.util.List;
import java.util.Map;

/**
 * A bundle's config.json as isola runs it: the spec (without stdio, id or deferral, which the
 * verb adds), the hooks by kind, the annotations, and what of it a process exec'd into the
 * container inherits ({@link ExecProcess#inherited}).
 */
public record OciPlan(
        ContainerSpec.Builder spec,
        Map<String, List<Hook>> hooks,
        Map<String, String> annotations,
        JsonNode inherited) {

    public List<Hook> hooks(String kind) {
        return hooks.getOrDefault(kind, List.of());
    }
}
