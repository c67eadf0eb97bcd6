package io.isola.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isola.api.ContainerSpec;
import io.isola.api.Filesystem;
import io.isola.api.ProcessScheduling;
import io.isola.api.RootPropagation;
import io.isola.api.RuntimeHostname;
import io.isola.api.Security;
import io.isola.api.SharedNamespaces;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Translates a bundle's config.json into an {@link OciPlan}. What isola honours is read; every
 * other property of the spec's present is refused with its JSON name (see {@link ConfigFields});
 * a property the spec does not define is ignored, as the spec says ({@link SpecProperties}). The
 * supported set grows as features land: a field moves from refused to read when its feature exists.
 */
public final class ConfigTranslator {

    static final Set<String> HOOK_KINDS =
            Set.of("prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop");

    /** How the engine asked isola to read config.json: {@code --systemd-cgroup}. */
    public record Options(boolean systemdCgroup) {
        public static final Options DEFAULTS = new Options(false);
    }

    private ConfigTranslator() {}

    public static OciPlan load(Path bundle) {
        return load(bundle, Options.DEFAULTS);
    }

    public static OciPlan load(Path bundle, Options options) {
        Path config = bundle.resolve("config.json");
        JsonNode root;
        try {
            ConfigLimits.check(config, "");
            root = new ObjectMapper().readTree(config.toFile());
        } catch (NoSuchFileException | FileNotFoundException e) {
            throw new IllegalArgumentException("bundle \"" + bundle + "\": no config.json in it");
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "bundle \"" + bundle + "\": config.json is not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("bundle \"" + bundle + "\": config.json is not a JSON object");
        }
        return translate(root, bundle, options);
    }

    static OciPlan translate(JsonNode root, Path bundle) {
        return translate(root, bundle, Options.DEFAULTS);
    }

    static OciPlan translate(JsonNode root, Path bundle, Options options) {
        ConfigFields fields = new ConfigFields(root);
        String version = fields.text("ociVersion");
        if (version == null || !version.startsWith("1.")) {
            throw ConfigFields.refuse("ociVersion", "\"" + version + "\": expected a 1.x version");
        }
        if (fields.at("process") == null) {
            // OCI makes it optional until start; isola, as runc, sets the process up at create
            throw ConfigFields.refuse("process", "absent; expected the container's process, with its args");
        }
        ContainerSpec.Builder spec = ProcessSection.command(fields);
        Security.Builder security = Security.builder();
        ProcessSection.read(fields, spec, security);
        Filesystem.Builder filesystem = root(fields, bundle);
        LinuxSection.Namespaces namespaces = LinuxSection.namespaces(fields, spec);
        Set<String> isolators = namespaces.isolators();
        LinuxSection.idMappings(fields, spec, namespaces);
        String hostname = fields.text("hostname");
        if (hostname != null && !hostname.isEmpty()) {
            spec.hostname(hostname);
        } else {
            spec.with(new RuntimeHostname()); // runc leaves a new UTS namespace's as it came
        }
        String domainname = fields.text("domainname");
        if (domainname != null && !domainname.isEmpty()) {
            spec.domainname(domainname);
        }
        String propagation = fields.text("linux.rootfsPropagation");
        if (propagation != null && !propagation.isEmpty()) {
            if (!namespaces.ownMount()) {
                // it would change the runtime's own mount namespace
                throw ConfigFields.refuse(
                        "linux.rootfsPropagation",
                        "\"" + propagation + "\": needs a mount namespace of the"
                                + " container's own; expected a \"mount\" entry without a path in linux.namespaces");
            }
            try {
                spec.with(new RootPropagation(propagation));
            } catch (IllegalArgumentException e) {
                throw ConfigFields.refuse("linux.rootfsPropagation", e.getMessage());
            }
        }
        if (namespaces.ownMount()) {
            // the root as it stands now: whether podman's tmpcopyup would copy anything depends on it
            Path rootfs = Path.of(filesystem.build().rootfs().orElseThrow());
            MountsSection.read(fields, bundle, filesystem, rootfs);
            spec.with(filesystem.build());
        } else {
            RootWithoutMountNamespace.read(fields, filesystem, namespaces.joinedMount())
                    .ifPresent(spec::with);
        }
        ProcessScheduling scheduling = SchedulingSection.read(fields);
        if (scheduling != null) {
            spec.with(scheduling);
        }
        LinuxSection.sysctl(fields, spec);
        LinuxSection.kernelPaths(fields, spec);
        LinuxSection.seccomp(fields, security);
        HostModulesSection.read(fields, HostModulesSection.Modules.ofThisHost(), security);
        Security built = security.build();
        spec.with(built);
        if (ResourcesSection.read(fields, spec, options.systemdCgroup())
                && isolators.add("cgroup")
                && !namespaces.joined().contains("cgroup")) {
            // limits, device rules and the cgroup path need the cgroup isolator; the cgroup
            // namespace the config does not list stays the runtime's, as the spec says
            spec.with(new SharedNamespaces(Set.of("cgroup")));
        }
        spec.isolators(isolators);
        Map<String, String> annotations = new LinkedHashMap<>();
        JsonNode notes = fields.take("annotations");
        if (notes != null) {
            notes.fields()
                    .forEachRemaining(
                            e -> annotations.put(e.getKey(), e.getValue().asText()));
        }
        Map<String, List<Hook>> hooks = hooks(fields);
        List<String> unsupported = fields.unsupported();
        if (!unsupported.isEmpty()) {
            throw new ConfigException(
                    null,
                    "not supported by isola: " + String.join(", ", unsupported)
                            + " (remove these fields, or use a runtime that implements them)");
        }
        return new OciPlan(spec, hooks, annotations, ExecProcess.inherited(root));
    }

    /** root.path, relative to the bundle, becomes the container's root (pivot_root into it). */
    private static Filesystem.Builder root(ConfigFields fields, Path bundle) {
        String path = fields.text("root.path");
        if (path == null) {
            throw ConfigFields.refuse("root.path", "expected the container's root directory");
        }
        Path resolved = bundle.resolve(path).normalize();
        if (!Files.isDirectory(resolved)) {
            throw ConfigFields.refuse("root.path", "\"" + path + "\": " + resolved + " is not a directory");
        }
        JsonNode readonly = fields.take("root.readonly");
        return Filesystem.builder().rootfs(resolved.toString()).readOnly(readonly != null && readonly.asBoolean());
    }

    /**
     * The hooks of a config.json by kind, read as {@link #translate} reads them; throws naming the
     * first bad one.
     */
    static Map<String, List<Hook>> hooks(JsonNode root) {
        return hooks(new ConfigFields(root));
    }

    private static Map<String, List<Hook>> hooks(ConfigFields fields) {
        Map<String, List<Hook>> hooks = new LinkedHashMap<>();
        JsonNode all = fields.at("hooks");
        if (all == null) {
            return hooks;
        }
        all.fieldNames().forEachRemaining(kind -> {
            if (!HOOK_KINDS.contains(kind)) {
                return; // not a hook kind of the spec's: left unread, and so ignored as an unknown property
            }
            List<Hook> list = new ArrayList<>();
            int index = 0;
            for (JsonNode hook : fields.take("hooks." + kind)) {
                String path = hook.path("path").asText(null);
                if (path == null || !path.startsWith("/")) {
                    throw ConfigFields.refuse("hooks." + kind + "[" + index + "].path", "expected an absolute path");
                }
                JsonNode timeout = hook.get("timeout");
                if (timeout != null
                        && !timeout.isNull()
                        && (!timeout.canConvertToExactIntegral()
                                || !timeout.canConvertToInt()
                                || timeout.asInt() <= 0)) {
                    // asInt() made "abc" 0 and let -5 through: a hook ended at once, "timed out after 0 s"
                    throw ConfigFields.refuse(
                            "hooks." + kind + "[" + index + "].timeout",
                            "expected a number of seconds greater than zero, got " + timeout);
                }
                list.add(new Hook(
                        path,
                        strings(hook.get("args")),
                        strings(hook.get("env")),
                        timeout == null || timeout.isNull() ? null : timeout.asInt()));
                index++;
            }
            hooks.put(kind, list);
        });
        return hooks;
    }

    private static List<String> strings(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node != null) {
            node.forEach(item -> values.add(item.asText()));
        }
        return values;
    }
}
