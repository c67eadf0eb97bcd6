package io.isola.api;

/**
 * How a container's first process ended: with an exit code, or killed by a signal.
 *
 * @param exitCode the code passed to exit, when {@code signal} is 0
 * @param signal the signal that killed the process, or 0
 */
public record ExitStatus(int exitCode, int signal) {

    public static ExitStatus exited(int code) {
        return new ExitStatus(code, 0);
    }

    public static ExitStatus killed(int signal) {
        return new ExitStatus(0, signal);
    }

    public boolean killedBySignal() {
        return signal != 0;
    }

    /** The status a shell reports: the exit code, or 128 + the signal number. */
    public int shellCode() {
        return signal != 0 ? 128 + signal : exitCode;
    }

    @Override
    public String toString() {
        return signal != 0 ? "killed by signal " + signal : "exited with code " + exitCode;
    }
}
