package io.isola.oci;

import io.isola.api.Capability;
import io.isola.internal.security.SeccompProfileParser;
import io.isola.spi.support.Selinux;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What this runtime implements of config.json, in the runtime-spec's {@code features.md} form (the
 * OCI {@code features} verb): read from the same tables that the translation and the seccomp
 * compiler use, so that it cannot claim what they refuse.
 */
public final class OciFeatures {

    private OciFeatures() {}

    /** @param annotations the runtime's own, such as its version */
    public static Map<String, Object> of(Map<String, String> annotations) {
        Map<String, Object> features = new LinkedHashMap<>();
        features.put("ociVersionMin", "1.0.0");
        features.put("ociVersionMax", "1.2.0");
        features.put(
                "hooks",
                List.of("prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"));
        features.put("mountOptions", new ArrayList<>(MountsSection.optionNames()));
        Map<String, Object> linux = new LinkedHashMap<>();
        // the types a config may create (every type may be joined by path)
        TreeSet<String> namespaces = new TreeSet<>(LinuxSection.ISOLATORS.keySet());
        namespaces.add("time");
        linux.put("namespaces", new ArrayList<>(namespaces));
        linux.put(
                "capabilities",
                Arrays.stream(Capability.values()).map(Capability::capName).toList());
        Map<String, Object> cgroup = new LinkedHashMap<>();
        cgroup.put("v1", true);
        cgroup.put("v2", true);
        // --systemd-cgroup takes systemd's slice:prefix:name form of the path; isola asks no systemd for units
        cgroup.put("systemd", false);
        cgroup.put("systemdUser", false);
        linux.put("cgroup", cgroup);
        Map<String, Object> seccomp = new LinkedHashMap<>();
        seccomp.put("enabled", true);
        seccomp.put("actions", SeccompProfileParser.actionNames());
        seccomp.put("operators", SeccompProfileParser.operatorNames());
        seccomp.put("archs", SeccompProfileParser.architectureNames());
        linux.put("seccomp", seccomp);
        linux.put("apparmor", Map.of("enabled", true)); // applied where the host enables it, as runc reports
        // enabled where the host runs SELinux, whose labels are applied there only
        linux.put("selinux", Map.of("enabled", Selinux.enabled()));
        features.put("linux", linux);
        features.put("annotations", annotations);
        return features;
    }
}
