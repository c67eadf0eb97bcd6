package io.isola.launcher.cli.oci;

import io.isola.lifecycle.Inspection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** OCI {@code features}: what this runtime implements, in the runtime-spec's features.md format. */
@Command(name = "features", description = "Print the OCI features isola supports (OCI runtime verb).")
public final class FeaturesCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        Map<String, Object> features = new LinkedHashMap<>();
        features.put("ociVersionMin", "1.0.0");
        features.put("ociVersionMax", "1.2.0");
        features.put("hooks", List.of("prestart", "createRuntime", "createContainer", "startContainer", "poststart",
                "poststop"));
        features.put("mountOptions", List.of());
        Map<String, Object> linux = new LinkedHashMap<>();
        linux.put("namespaces", List.of("pid", "ipc", "uts", "mount"));
        linux.put("capabilities", List.of());
        linux.put("cgroup", Map.of("v1", false, "v2", false, "systemd", false, "systemdUser", false));
        linux.put("seccomp", Map.of("enabled", false));
        linux.put("apparmor", Map.of("enabled", false));
        linux.put("selinux", Map.of("enabled", false));
        features.put("linux", linux);
        features.put("annotations", Map.of("io.isola.unsupported-fields", "refused by JSON name at create"));
        spec.commandLine().getOut().println(Inspection.json(features));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
