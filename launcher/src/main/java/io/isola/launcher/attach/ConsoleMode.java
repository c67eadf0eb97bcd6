package io.isola.launcher.attach;

import io.isola.api.ContainerSpec;
import io.isola.api.Stdio;
import io.isola.api.Terminal;

/**
 * What a detached container's holder keeps for a later attach: a terminal ({@code run -dt}),
 * the container's stdin ({@code -di}), both ({@code -dit}); with neither, its output goes straight
 * to its log and nothing is held.
 */
public record ConsoleMode(boolean tty, boolean stdin) {

    public static final ConsoleMode NONE = new ConsoleMode(false, false);

    /** Whether a holder keeps anything for this container. */
    public boolean held() {
        return tty || stdin;
    }

    /**
     * The container's streams for its holder: a terminal (80x24 until an attach sets its own
     * size), or pipes for stdin and the output; unchanged when nothing is held.
     */
    public ContainerSpec.Builder applyTo(ContainerSpec.Builder builder) {
        if (tty) {
            builder.with(Terminal.of80x24());
        } else if (stdin) {
            builder.stdin(Stdio.PIPE).stdout(Stdio.PIPE).stderr(Stdio.PIPE);
        }
        return builder;
    }
}
