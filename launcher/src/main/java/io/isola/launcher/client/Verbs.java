package io.isola.launcher.client;

import java.util.Set;

/**
 * Which command lines the resident server runs. Of the OCI verbs that podman and containerd call,
 * start, state, delete and kill are served (a JVM each cost an engine ~0.4-0.6 s a verb);
 * create is not, since the container it forks must be a child of the engine's process tree
 * (conmon or the shim reaps it). The internal verbs and anything that names its own
 * configuration run in-process. bin/isola makes the same choice in shell, to skip the client JVM.
 */
public final class Verbs {

    /** Verbs whose work is the container's or the state root's, with output on the caller's fds. */
    public static final Set<String> SERVED = Set.of("run", "ps", "list", "kill", "stop", "rm", "logs", "inspect", "wait",
            "images", "start", "restart", "state", "delete");
    /**
     * The served verbs an engine calls after create: they use a server that runs but never wait
     * for one to start (create starts it, {@link ServerStarter#startIfNone}; a kill may come
     * long after the server has gone idle and exited, and in-process takes a third of its boot).
     */
    public static final Set<String> ENGINE = Set.of("start", "state", "delete", "kill");
    private static final Set<String> GLOBAL_WITH_VALUE = Set.of("--root", "--log", "--log-format");

    private Verbs() {}

    /** The verb of {@code args}, or null (no verb, or --help/--version first). */
    public static String verb(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (GLOBAL_WITH_VALUE.contains(arg)) {
                i++;
            } else if (!arg.startsWith("-")) {
                return arg;
            } else if (!arg.startsWith("--") || arg.equals("--help") || arg.equals("--version")) {
                return null;
            }
        }
        return null;
    }

    /** True when the server may run {@code args}: a served verb and no --config of its own. */
    public static boolean served(String[] args) {
        for (String arg : args) {
            if (arg.equals("--config") || arg.startsWith("--config=")) {
                return false; // the server's framework was booted with its own configuration
            }
        }
        String verb = verb(args);
        return verb != null && SERVED.contains(verb);
    }
}
