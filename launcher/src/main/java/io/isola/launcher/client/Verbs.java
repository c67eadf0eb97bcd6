package io.isola.launcher.client;

import java.util.Set;

/**
 * Which command lines the resident server runs. Of the OCI verbs that podman and containerd call,
 * start, state, delete and kill are served (a JVM each cost an engine ~0.4-0.6 s a verb);
 * create is not, since the container it forks must be a child of the engine's process tree
 * (conmon or the shim reaps it): the server only plans it for {@link ThinCreate}, which clones it
 * in that tree. The internal verbs and anything that names its own
 * configuration run in-process. {@code isola exec} is served too, but not an engine's (with
 * {@code --process}, {@code --pid-file} or {@code --console-socket}: conmon and the shim reap the
 * process) nor a detached one. {@code pull}, {@code push}, {@code save} and {@code load} are served so that a warm server's
 * compiled digest and inflate loops do the work, not a new JVM's interpreter (bench/pull: a JVM's
 * start and JIT were most of an in-process pull); the server runs as the caller's uid, so the
 * credentials it reads are the ones the caller may read. {@code network} and its subcommands are
 * served because each boots the network plugin's framework in-process (2-5 s a verb) where the
 * server lends its warm one. bin/isola makes the same choice in shell, to skip the client JVM.
 */
public final class Verbs {

    /** Verbs whose work is the container's or the state root's, with output on the caller's fds. */
    public static final Set<String> SERVED = Set.of(
            "run", "ps", "list", "kill", "stop", "rm", "logs", "inspect", "wait", "images", "start", "restart", "state",
            "delete", "exec", "attach", "pause", "unpause", "resume", "stats", "top", "port", "pull", "push", "save",
            "load", "network");
    /**
     * The served verbs an engine calls after create: they use a server that runs but never wait
     * for one to start (create starts it, {@link ServerStarter#startIfNone}; a kill may come
     * long after the server has gone idle and exited, and in-process takes a third of its boot).
     */
    public static final Set<String> ENGINE = Set.of("start", "state", "delete", "kill");
    /**
     * The served verbs that use a server that runs but never wait for one to start: the engine's,
     * and exec, which takes ~0.5 s in-process against ~1.5 s for a server to come up (in-process,
     * it starts one in the background for the next).
     */
    public static final Set<String> NO_WAIT = Set.of("start", "state", "delete", "kill", "exec");
    /** exec's options that make it the caller's own process (the engine's) or a detached one: never served. */
    static final Set<String> EXEC_IN_PROCESS =
            Set.of("--process", "-p", "--pid-file", "--console-socket", "--detach", "-d");
    /** exec's options that take a value as the next argument. */
    static final Set<String> EXEC_WITH_VALUE = Set.of("-e", "--env", "-w", "--workdir", "-u", "--user");

    /** The global options whose value is the next argument: never the verb ({@code --config DIR run}). */
    private static final Set<String> GLOBAL_WITH_VALUE = Set.of("--root", "--log", "--log-format", "--config");

    private Verbs() {}

    /** The verb of {@code args}, or null (no verb, or --help/--version first). */
    public static String verb(String[] args) {
        int at = verbIndex(args);
        return at < 0 ? null : args[at];
    }

    /** Where the verb is in {@code args}, or -1. */
    public static int verbIndex(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (GLOBAL_WITH_VALUE.contains(arg)) {
                i++;
            } else if (!arg.startsWith("-")) {
                return i;
            } else if (!arg.startsWith("--") || arg.equals("--help") || arg.equals("--version")) {
                return -1;
            }
        }
        return -1;
    }

    /** True when the server may run {@code args}: a served verb and no --config of its own. */
    public static boolean served(String[] args) {
        for (String arg : args) {
            if (arg.equals("--config") || arg.startsWith("--config=")) {
                return false; // the server's framework was booted with its own configuration
            }
        }
        String verb = verb(args);
        return verb != null && SERVED.contains(verb) && (!verb.equals("exec") || servedExec(args));
    }

    /**
     * Whether an exec's options, up to its container id, leave it to the server: none that makes it
     * an engine's or detached ({@link #EXEC_IN_PROCESS}, also in a cluster such as {@code -itd}).
     * The server refuses such an exec all the same; this only spares the round trip.
     */
    static boolean servedExec(String[] args) {
        for (int i = verbIndex(args) + 1; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("-")) {
                return true; // the id: what follows is the command's
            }
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            if (EXEC_IN_PROCESS.contains(name)
                    || (!arg.startsWith("--") && (arg.indexOf('d') > 0 || arg.indexOf('p') > 0))) {
                return false;
            }
            if (EXEC_WITH_VALUE.contains(arg)) {
                i++;
            }
        }
        return true;
    }
}
