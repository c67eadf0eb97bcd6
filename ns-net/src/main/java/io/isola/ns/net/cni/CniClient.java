package io.isola.ns.net.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs CNI plugins as the CNI specification's runtime does: the plugin is the executable named by
 * its {@code type} on {@code CNI_PATH}; the operation and container come in {@code CNI_*}
 * environment variables; the plugin's configuration (with {@code name}, {@code cniVersion}, the
 * previous plugin's result as {@code prevResult} and capability arguments as {@code
 * runtimeConfig}) on stdin; the result or an error object {@code {code, msg, details}} on stdout.
 *
 * <p>A list is chained: ADD runs the plugins in order, each getting the previous one's result;
 * DEL runs them in reverse, each getting the result of the whole ADD; CHECK runs them in order
 * with that result. When an ADD fails, the spec asks the runtime to DEL the whole list, which
 * plugins must tolerate for anything they did not create; {@link #add} does so itself.
 */
public final class CniClient {

    private static final Logger LOG = LoggerFactory.getLogger(CniClient.class);
    private static final long TIMEOUT_SECONDS = 60;

    private final PluginPath path;

    public CniClient(PluginPath path) {
        this.path = path;
    }

    public PluginPath path() {
        return path;
    }

    /**
     * What identifies one attachment to plugins.
     *
     * @param containerId {@code CNI_CONTAINERID}
     * @param netns {@code CNI_NETNS}: a path to the network namespace, or "" when it is gone (DEL)
     * @param ifName {@code CNI_IFNAME}
     * @param capabilityArgs values for plugins that declare the capability ({@code portMappings})
     */
    public record Attachment(String containerId, String netns, String ifName, Map<String, JsonNode> capabilityArgs) {
        public Attachment {
            capabilityArgs = Map.copyOf(capabilityArgs);
        }

        public Attachment withNetns(String other) {
            return new Attachment(containerId, other, ifName, capabilityArgs);
        }
    }

    /** Fails with a message naming the first plugin of {@code list} that is not installed. */
    public void checkInstalled(NetworkConfigList list) throws CniException {
        for (String type : list.types()) {
            path.require(type, list.describe());
        }
    }

    /** ADD through the whole list; returns the last plugin's result. On failure, DELs the list first. */
    public ObjectNode add(NetworkConfigList list, Attachment attachment) throws CniException {
        ObjectNode result = null;
        try {
            for (ObjectNode plugin : list.plugins()) {
                result = invoke("ADD", list, plugin, attachment, result);
            }
        } catch (CniException e) {
            try {
                del(list, attachment, null);
            } catch (CniException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        if (result == null) {
            throw new CniException(list.describe() + ": the last plugin returned no result from ADD");
        }
        return result;
    }

    /**
     * DEL through the list in reverse. Every plugin is asked even when one fails (DEL must leave
     * as little as possible behind); the first failure is thrown after all were asked.
     */
    public void del(NetworkConfigList list, Attachment attachment, ObjectNode addResult) throws CniException {
        CniException first = null;
        List<ObjectNode> reversed = new ArrayList<>(list.plugins());
        Collections.reverse(reversed);
        for (ObjectNode plugin : reversed) {
            try {
                invoke("DEL", list, plugin, attachment, addResult);
            } catch (CniException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** CHECK through the list, unless the list disables it. */
    public void check(NetworkConfigList list, Attachment attachment, ObjectNode addResult) throws CniException {
        if (list.disableCheck()) {
            return;
        }
        for (ObjectNode plugin : list.plugins()) {
            invoke("CHECK", list, plugin, attachment, addResult);
        }
    }

    /** VERSION of one plugin: {@code {cniVersion, supportedVersions}}. */
    public ObjectNode version(String type, String cniVersion) throws CniException {
        Path executable = path.require(type, "VERSION");
        ObjectNode stdin = NetworkConfigList.JSON.createObjectNode().put("cniVersion", cniVersion);
        Output out = run(
                executable,
                Map.of("CNI_COMMAND", "VERSION", "CNI_PATH", path.toString()),
                stdin,
                "plugin \"" + type + "\"");
        return resultOrError(out, "plugin \"" + type + "\" (" + executable + ") failed VERSION", true);
    }

    private ObjectNode invoke(
            String command, NetworkConfigList list, ObjectNode plugin, Attachment attachment, ObjectNode prevResult)
            throws CniException {
        String type = plugin.get("type").asText();
        Path executable = path.require(type, list.describe());
        ObjectNode config = plugin.deepCopy();
        config.put("name", list.name());
        config.put("cniVersion", list.cniVersion());
        if (prevResult != null) {
            config.set("prevResult", prevResult);
        }
        ObjectNode runtimeConfig = NetworkConfigList.JSON.createObjectNode();
        plugin.path("capabilities").fields().forEachRemaining(capability -> {
            JsonNode value = attachment.capabilityArgs().get(capability.getKey());
            if (capability.getValue().asBoolean(false) && value != null) {
                runtimeConfig.set(capability.getKey(), value);
            }
        });
        if (!runtimeConfig.isEmpty()) {
            config.set("runtimeConfig", runtimeConfig);
        }
        Map<String, String> env = Map.of(
                "CNI_COMMAND",
                command,
                "CNI_CONTAINERID",
                attachment.containerId(),
                "CNI_NETNS",
                attachment.netns(),
                "CNI_IFNAME",
                attachment.ifName(),
                "CNI_PATH",
                path.toString());
        String who = list.describe() + ": plugin \"" + type + "\" (" + executable + ")";
        LOG.debug("CNI {} {} for {} in {}", command, type, attachment.containerId(), attachment.netns());
        Output out = run(executable, env, config, who);
        return resultOrError(
                out, who + " failed " + command + " for container " + attachment.containerId(), command.equals("ADD"));
    }

    private record Output(int exitCode, byte[] stdout, String stderr) {}

    private static Output run(Path executable, Map<String, String> env, ObjectNode stdin, String who)
            throws CniException {
        ProcessBuilder builder = new ProcessBuilder(executable.toString());
        // the plugins run iptables, ip and their IPAM plugin: they need the host's PATH, not the container's
        builder.environment().keySet().removeIf(name -> name.startsWith("CNI_"));
        builder.environment().putAll(env);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new CniException(who + ": cannot be run: " + e.getMessage());
        }
        try {
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
            try (OutputStream in = process.getOutputStream()) {
                in.write(NetworkConfigList.JSON.writeValueAsBytes(stdin));
            } catch (IOException e) {
                // a plugin may exit without reading its configuration; its output says why
            }
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new CniException(who + ": did not finish within " + TIMEOUT_SECONDS + " s and was killed");
            }
            return new Output(process.exitValue(), out.join(), new String(err.join(), StandardCharsets.UTF_8).strip());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CniException(who + ": interrupted");
        }
    }

    /** The plugin's result on success; on failure its error object, turned into one sentence. */
    private static ObjectNode resultOrError(Output out, String failure, boolean resultRequired) throws CniException {
        String text = new String(out.stdout(), StandardCharsets.UTF_8).strip();
        JsonNode json = null;
        if (!text.isEmpty()) {
            try {
                json = NetworkConfigList.JSON.readTree(text);
            } catch (IOException e) {
                json = null;
            }
        }
        if (out.exitCode() != 0) {
            if (json != null && json.has("msg")) {
                int code = json.path("code").asInt(0);
                String details = json.path("details").asText("");
                throw new CniException(
                        failure + ": " + json.get("msg").asText() + (details.isEmpty() ? "" : " (" + details + ")")
                                + " [CNI error " + code + "]",
                        code,
                        null);
            }
            String said = !text.isEmpty() ? text : out.stderr();
            throw new CniException(failure + ": exit status " + out.exitCode() + (said.isEmpty() ? "" : ": " + said));
        }
        if (json instanceof ObjectNode result) {
            return result;
        }
        if (resultRequired) {
            throw new CniException(failure + ": expected a JSON result on stdout, got "
                    + (text.isEmpty() ? "nothing" : "\"" + abbreviate(text) + "\""));
        }
        return null;
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            in.transferTo(bytes);
            return bytes.toByteArray();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    private static String abbreviate(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }
}
