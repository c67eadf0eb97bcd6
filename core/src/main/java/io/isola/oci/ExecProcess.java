package io.isola.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isola.api.ContainerSpec;
import io.isola.api.Security;
import io.isola.internal.security.AppArmorOnExec;
import io.isola.internal.security.SelinuxOnExec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * An OCI {@code exec --process process.json}: the process object of the runtime-spec, read as the
 * {@code process} section of a config.json is (args, env, cwd, terminal, user, capabilities,
 * rlimits, noNewPrivileges, apparmorProfile, ...; anything else refused by name). The process also
 * gets the container's seccomp filter ({@code linux.seccomp} of its config.json as create read it),
 * and its AppArmor profile and SELinux label unless it names its own, as runc gives them.
 */
public final class ExecProcess {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ExecProcess() {}

    /**
     * @param file the process.json
     * @param stateDir the container's state directory, where create saved what of its config.json
     *     the process inherits ({@link CreatedConfig}); for a container of a version that saved
     *     nothing, that is read from {@code bundle} (null: none, or gone)
     * @return the spec (without the join, which the caller adds) and whether it asks for a terminal
     */
    public static ContainerSpec.Builder load(Path file, Path stateDir, String bundle) {
        JsonNode process;
        try {
            ConfigLimits.check(file, "process");
            process = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("process file \"" + file + "\": " + e.getMessage());
        }
        if (process == null || !process.isObject()) {
            throw new IllegalArgumentException("process file \"" + file + "\": expected a JSON object");
        }
        ObjectNode root = JSON.createObjectNode();
        root.set("process", process);
        JsonNode config = stateDir == null
                ? null
                : CreatedConfig.of(stateDir, bundle, false).inherited();
        for (String label : List.of("apparmorProfile", "selinuxLabel")) {
            if (!process.hasNonNull(label) && config != null) {
                // runc's exec: the container's profile or context unless the process names its
                // own; none would let an exec leave the container's confinement
                String value = config.path("process").path(label).asText("");
                if (!value.isEmpty()) {
                    ((ObjectNode) process).put(label, value);
                }
            }
        }
        JsonNode seccomp = config == null ? null : seccompOf(config);
        if (seccomp != null) {
            root.putObject("linux").set("seccomp", seccomp);
        }
        try {
            return translate(root);
        } catch (ConfigException e) {
            throw new IllegalArgumentException("process file \"" + file + "\": " + e.detail(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("process file \"" + file + "\": " + e.getMessage(), e);
        }
    }

    /** Whether the spec asks for a terminal (process.terminal true). */
    public static boolean terminal(ContainerSpec.Builder spec) {
        return spec.build().extension(ProcessTerminal.class).isPresent();
    }

    private static ContainerSpec.Builder translate(JsonNode root) {
        ConfigFields fields = new ConfigFields(root);
        ContainerSpec.Builder spec = ProcessSection.command(fields);
        Security.Builder security = Security.builder();
        ProcessSection.read(fields, spec, security);
        LinuxSection.seccomp(fields, security);
        HostModulesSection.appArmor(fields, AppArmorOnExec.Host.ofThisHost().enabled(), security);
        HostModulesSection.selinux(
                fields, "process.selinuxLabel", SelinuxOnExec.Host.ofThisHost().enabled(), security::selinuxLabel);
        spec.with(security.build());
        List<String> unsupported = fields.unsupported();
        if (!unsupported.isEmpty()) {
            throw new IllegalArgumentException("not supported by isola: " + String.join(", ", unsupported));
        }
        return spec;
    }

    private static JsonNode seccompOf(JsonNode config) {
        JsonNode seccomp = config.path("linux").get("seccomp");
        return seccomp == null || seccomp.isNull() ? null : seccomp;
    }

    /**
     * What of {@code config} (a config.json) a process exec'd into its container inherits, as a
     * config.json of that alone: linux.seccomp, process.apparmorProfile and process.selinuxLabel.
     * Saved at create: the bundle's config.json may have been edited since, by whoever can write
     * it, to drop the filter or the confinement.
     */
    static JsonNode inherited(JsonNode config) {
        ObjectNode kept = JSON.createObjectNode();
        JsonNode seccomp = config.path("linux").get("seccomp");
        if (seccomp != null && !seccomp.isNull()) {
            kept.putObject("linux").set("seccomp", seccomp.deepCopy());
        }
        for (String label : List.of("apparmorProfile", "selinuxLabel")) {
            JsonNode value = config.path("process").get(label);
            if (value != null && !value.isNull()) {
                kept.withObjectProperty("process").set(label, value.deepCopy());
            }
        }
        return kept;
    }
}
