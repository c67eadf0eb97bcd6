package io.isola.launcher.cli;

import io.isola.launcher.server.Invocation;

/** Whether the caller of a command sits at a terminal: served, the client says so (the server's own console is none). */
final class CallerTerminal {

    private CallerTerminal() {}

    /** True when the caller's stdin and stdout are a terminal, as {@link System#console()} says of a CLI's own. */
    static boolean present() {
        Invocation invocation = Invocation.current();
        return invocation != null ? invocation.tty() : System.console() != null;
    }
}
