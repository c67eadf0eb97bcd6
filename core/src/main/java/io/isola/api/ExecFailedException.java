package io.isola.api;

/** The setup succeeded but no exec candidate of the command could be run. */
public class ExecFailedException extends StepFailedException {

    private static final int ENOENT = 2;

    public ExecFailedException(String command, int errno, String errnoName, String errnoText) {
        super("core", "execute \"" + command + "\"", errno, errnoName, errnoText);
    }

    /** What a shell reports: 127 when the command was not found, 126 when it could not run. */
    public int shellCode() {
        return errno() == ENOENT ? 127 : 126;
    }
}
