package io.isola.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The contexts a container gets from the host's SELinux policy, which Docker's {@code
 * --security-opt label=...} edits: {@code process} and {@code file} of the policy's {@code
 * contexts/lxc_contexts} (the policy named by SELINUXTYPE in /etc/selinux/config), as go-selinux
 * reads them; container_t and container_file_t at s0 where the host has none.
 */
record SelinuxDefaults(String process, String file) {

    static final SelinuxDefaults FALLBACK =
            new SelinuxDefaults("system_u:system_r:container_t:s0", "system_u:object_r:container_file_t:s0");

    private static final Pattern ENTRY = Pattern.compile("^\\s*(process|file)\\s*=\\s*\"([^\"]*)\"");

    static SelinuxDefaults ofThisHost() {
        return of(Path.of("/etc/selinux"));
    }

    static SelinuxDefaults of(Path etcSelinux) {
        try {
            String type = Files.readAllLines(etcSelinux.resolve("config"), StandardCharsets.UTF_8).stream()
                    .map(String::strip)
                    .filter(line -> line.startsWith("SELINUXTYPE="))
                    .map(line -> line.substring("SELINUXTYPE=".length()))
                    .findFirst()
                    .orElse(null);
            if (type == null || type.contains("/")) {
                return FALLBACK;
            }
            List<String> lines = Files.readAllLines(
                    etcSelinux.resolve(type).resolve("contexts/lxc_contexts"), StandardCharsets.UTF_8);
            String process = FALLBACK.process();
            String file = FALLBACK.file();
            for (String line : lines) {
                Matcher m = ENTRY.matcher(line);
                if (m.find()) {
                    if (m.group(1).equals("process")) {
                        process = m.group(2);
                    } else {
                        file = m.group(2);
                    }
                }
            }
            return new SelinuxDefaults(process, file);
        } catch (IOException e) {
            return FALLBACK; // no policy installed: SELinux is off, and the labels are ignored anyway
        }
    }

    /**
     * {@code context} with its part {@code index} (0 user, 1 role, 2 type, 3 level) set to {@code
     * value}; a level has colons of its own (s0:c1,c2), so it is the whole rest.
     */
    static String with(String context, int index, String value) {
        String[] parts = context.split(":", 4);
        String[] out = new String[4];
        for (int i = 0; i < 4; i++) {
            out[i] = i < parts.length ? parts[i] : "s0";
        }
        out[index] = value;
        return String.join(":", out);
    }
}
