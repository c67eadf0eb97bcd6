package io.isola.launcher.server;

import java.util.List;
import java.util.Map;

/**
 * A command line a client hands the server, checked to come from {@code pid}, a process of the
 * server's own user: which of its fds are its stdin, stdout and stderr (the command gets those),
 * its environment and working directory, and whether it runs at a terminal.
 */
record ClientRequest(long pid, int[] stdio, boolean tty, String cwd, List<String> args, Map<String, String> env) {

    /** The fds of a client that has its streams where a process has them. */
    static final int[] STANDARD = {0, 1, 2};
}
