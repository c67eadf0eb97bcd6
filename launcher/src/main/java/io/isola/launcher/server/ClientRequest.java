package io.isola.launcher.server;

import java.util.List;
import java.util.Map;

/**
 * A command line a client hands the server, checked to come from {@code pid}, a process of the
 * server's own user: the server's own fds of the client's stdin, stdout and stderr (the command
 * gets those; the session closes them), its environment and working directory, and whether it
 * runs at a terminal; for a client that clones (a thin create or exec), the signals its JVM
 * handles, the lowest fd number from which it holds none (where the plan's fds go) and its
 * RLIMIT_NOFILE soft limit (no plan's fd may reach it).
 */
record ClientRequest(
        long pid,
        int[] stdio,
        boolean tty,
        String cwd,
        List<String> args,
        Map<String, String> env,
        List<Integer> clonerSignals,
        int clonerFdFloor,
        int clonerFdLimit) {

    ClientRequest(long pid, int[] stdio, boolean tty, String cwd, List<String> args, Map<String, String> env) {
        this(pid, stdio, tty, cwd, args, env, null, -1, -1);
    }

    /** Whether the client clones the container itself (a thin create), with these signals handled. */
    boolean clones() {
        return clonerSignals != null;
    }

    /**
     * Adds a "NAME=VALUE" entry of an environment to {@code env}, the first of a name winning (as
     * getenv finds it); an entry without a name is no variable and is skipped.
     */
    static void addVariable(Map<String, String> env, String entry) {
        int eq = entry.indexOf('=');
        if (eq > 0) {
            env.putIfAbsent(entry.substring(0, eq), entry.substring(eq + 1));
        }
    }
}
