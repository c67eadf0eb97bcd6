package io.isola.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isola.lifecycle.MonitorProcess;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs isola commands one after another through {@link Main#execute} in a JVM of its own, for a
 * test that needs them in a process it starts (in a mount namespace of its own, which the test's
 * multithreaded JVM cannot enter), at the cost of one JVM start rather than one per command.
 *
 * <p>Arguments: a JSON file holding an array of argument arrays, and the file to write the
 * results to, an array of {@code {"code": N, "out": "...", "err": "...", "millis": N}} in the same order.
 */
final class CommandsInOneJvm {

    private static final ObjectMapper JSON = new ObjectMapper();

    private CommandsInOneJvm() {}

    public static void main(String[] args) throws Exception {
        String[][] commands = JSON.readValue(Path.of(args[0]).toFile(), String[][].class);
        ArrayNode results = JSON.createArrayNode();
        for (String[] command : commands) {
            StringWriter out = new StringWriter(), err = new StringWriter();
            long start = System.nanoTime();
            int code = Main.execute(command, new PrintWriter(out, true), new PrintWriter(err, true));
            ObjectNode result = results.addObject();
            result.put("code", code)
                    .put("out", out.toString())
                    .put("err", err.toString())
                    .put("millis", (System.nanoTime() - start) / 1_000_000);
        }
        JSON.writeValue(Path.of(args[1]).toFile(), results);
        System.exit(0); // a detached container's monitor or Felix's threads must not keep this JVM
    }

    /** The command line that runs {@code commands} and writes {@code results}. */
    static List<String> javaCommand(Path commands, Path results) {
        List<String> command = new ArrayList<>(MonitorProcess.javaCommand(
                CommandsInOneJvm.class.getName(), List.of(commands.toString(), results.toString())));
        command.add(1, "-Disola.bundles=" + System.getProperty("isola.bundles"));
        return command;
    }
}
