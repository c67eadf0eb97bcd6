package io.isola.launcher.cli.oci;

import io.isola.launcher.cli.run.Environment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isola.api.ContainerSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** An OCI process.json (exec --process): args, env and cwd; anything else is refused by name. */
public final class OciProcess {

    private static final Set<String> SUPPORTED = Set.of("args", "env", "cwd", "terminal", "user");

    private OciProcess() {}

    public static ContainerSpec.Builder load(Path file) {
        JsonNode process;
        try {
            process = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("process file \"" + file + "\": " + e.getMessage());
        }
        List<String> refused = new ArrayList<>();
        process.fieldNames().forEachRemaining(name -> {
            JsonNode value = process.get(name);
            boolean empty = value.isNull() || (value.isContainerNode() && value.isEmpty()) || (value.isBoolean() && !value.asBoolean());
            if (!SUPPORTED.contains(name) && !empty) {
                refused.add("process." + name);
            }
        });
        if (process.path("terminal").asBoolean(false)) {
            refused.add("process.terminal");
        }
        if (process.path("user").path("uid").asLong(0) != 0 || process.path("user").path("gid").asLong(0) != 0) {
            refused.add("process.user");
        }
        if (!refused.isEmpty()) {
            throw new IllegalArgumentException("process file \"" + file + "\": not supported by isola: " + String.join(", ", refused));
        }
        List<String> args = new ArrayList<>();
        process.path("args").forEach(arg -> args.add(arg.asText()));
        if (args.isEmpty()) {
            throw new IllegalArgumentException("process file \"" + file + "\": process.args: expected the command to run");
        }
        ContainerSpec.Builder builder = ContainerSpec.builder(args).cwd(process.path("cwd").asText("/"));
        process.path("env").forEach(entry -> Environment.add(builder, entry.asText()));
        return builder;
    }
}
