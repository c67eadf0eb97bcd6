package io.isola.oci;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

/**
 * The bounds on a config.json's arrays, checked by a streaming pass before the file is read into
 * memory: the tree of a million environment entries alone exhausted the CLI's heap, so a bound
 * checked on the tree would come too late. Each bound is what the kernel or a sane bundle allows;
 * any other array gets {@link #OTHER}.
 */
final class ConfigLimits {

    /** execve takes at most a quarter of the stack limit (2 MiB of 8) for argv and envp together. */
    static final int PROCESS_STRINGS = 65_536;
    /** The kernel's default fs.mount-max is 100,000 for a whole namespace. */
    static final int MOUNTS = 10_000;

    static final int HOOKS = 1_024;
    static final int OTHER = 65_536;

    /** By path: object keys joined with '.', an array's elements as "[]". */
    private static final Map<String, Integer> BOUNDS = Map.ofEntries(
            Map.entry("process.args", PROCESS_STRINGS),
            Map.entry("process.env", PROCESS_STRINGS),
            Map.entry("mounts", MOUNTS),
            Map.entry("hooks.prestart", HOOKS),
            Map.entry("hooks.createRuntime", HOOKS),
            Map.entry("hooks.createContainer", HOOKS),
            Map.entry("hooks.startContainer", HOOKS),
            Map.entry("hooks.poststart", HOOKS),
            Map.entry("hooks.poststop", HOOKS));

    private ConfigLimits() {}

    /**
     * Throws naming the first array of {@code file} longer than its bound; {@code root} is the
     * path of the file's root in a config.json ("" for config.json, "process" for an exec's
     * process.json). Syntax errors are left to the parse that follows.
     */
    static void check(Path file, String root) throws IOException {
        try (JsonParser parser = new JsonFactory().createParser(file.toFile())) {
            Deque<Frame> open = new ArrayDeque<>();
            String field = null;
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token == JsonToken.FIELD_NAME) {
                    field = parser.currentName();
                    continue;
                }
                if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                    open.pop();
                    continue;
                }
                Frame parent = open.peek();
                if (parent != null && parent.array && ++parent.count > BOUNDS.getOrDefault(parent.path, OTHER)) {
                    int bound = BOUNDS.getOrDefault(parent.path, OTHER);
                    throw ConfigFields.refuse(
                            parent.path, "more than " + bound + " entries: expected at most " + bound);
                }
                if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                    String path = parent == null ? root : parent.array ? parent.path + "[]" : join(parent.path, field);
                    open.push(new Frame(path, token == JsonToken.START_ARRAY));
                }
            }
        } catch (JsonProcessingException e) {
            // not JSON: the parse that follows says so, with its own message
        }
    }

    /** An object or array being read, and how many elements an array has had so far. */
    private static final class Frame {
        final String path;
        final boolean array;
        int count;

        Frame(String path, boolean array) {
            this.path = path;
            this.array = array;
        }
    }

    private static String join(String parent, String field) {
        return parent.isEmpty() ? field : parent + "." + field;
    }
}
