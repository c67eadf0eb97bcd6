package io.isola.api;

/**
 * Spec extension: the container's standard streams are a new pseudo-terminal instead of
 * {@link Stdio} settings. The process becomes a session leader with the terminal as its
 * controlling terminal; the host's side of the terminal is the container's {@link Container#stdin()}
 * and {@link Container#stdout()}, and {@link Container#resizeTerminal} changes its size. With a
 * {@link ConsoleSocket} as well, the terminal goes to the socket at this size (an OCI
 * {@code process.consoleSize}).
 *
 * @param columns initial width
 * @param rows initial height
 */
public record Terminal(int columns, int rows) {

    public Terminal {
        if (columns < 1 || rows < 1 || columns > 65535 || rows > 65535) {
            throw new IllegalArgumentException(
                    "terminal size " + columns + "x" + rows + ": expected 1 to 65535 columns and rows");
        }
    }

    public static Terminal of80x24() {
        return new Terminal(80, 24);
    }
}
