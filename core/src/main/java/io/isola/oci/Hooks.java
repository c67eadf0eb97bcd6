package io.isola.oci;

import io.isola.api.IsolaException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs OCI hooks on the host, in order, each with the container's state JSON on stdin, its own
 * environment only, and its timeout. The first failing hook stops the rest and names itself;
 * but a failing poststart or poststop hook is a warning, and the rest run ({@link #runWarning}),
 * as the spec says.
 * ({@code args[0]} is the hook's argv[0] in OCI; Java cannot set argv[0] apart from the path, so
 * the path is argv[0].)
 */
public final class Hooks {

    private static final Logger LOG = LoggerFactory.getLogger(Hooks.class);

    private Hooks() {}

    public static void run(String kind, List<Hook> hooks, String stateJson) {
        for (int i = 0; i < hooks.size(); i++) {
            runOne(kind, i, hooks.get(i), stateJson);
        }
    }

    /**
     * Spec, for poststart and poststop: "If a hook fails, the runtime MUST log a warning, but the
     * remaining hooks and lifecycle continue as if the hook had succeeded".
     */
    public static void runWarning(String kind, List<Hook> hooks, String stateJson, Consumer<String> warnings) {
        for (int i = 0; i < hooks.size(); i++) {
            try {
                runOne(kind, i, hooks.get(i), stateJson);
            } catch (IsolaException e) {
                LOG.warn("{}; going on, as the OCI runtime spec asks", e.getMessage());
                warnings.accept(e.getMessage());
            }
        }
    }

    private static void runOne(String kind, int i, Hook hook, String stateJson) {
        {
            List<String> command = new ArrayList<>();
            command.add(hook.path());
            if (hook.args().size() > 1) {
                command.addAll(hook.args().subList(1, hook.args().size()));
            }
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            Map<String, String> env = builder.environment();
            env.clear();
            for (String entry : hook.env()) {
                int eq = entry.indexOf('=');
                if (eq > 0) {
                    env.put(entry.substring(0, eq), entry.substring(eq + 1));
                }
            }
            String name = kind + " hook " + i + " (" + hook.path() + ")";
            try {
                Process process = builder.start();
                StateFeed.start(name, process.getOutputStream(), stateJson);
                int timeout = hook.timeoutSeconds() == null ? 60 : hook.timeoutSeconds();
                if (!process.waitFor(timeout, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IsolaException(name + " timed out after " + timeout + " s");
                }
                if (process.exitValue() != 0) {
                    throw new IsolaException(name + " failed with exit code " + process.exitValue());
                }
            } catch (IOException e) {
                throw new IsolaException(name + " could not run: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IsolaException(name + " was interrupted");
            }
        }
    }
}
