package io.isola.api;

/** A step of the container's setup failed in the child; the user's command never ran. */
public class StepFailedException extends IsolaException {

    private final String isolator;
    private final String step;
    private final String errnoName;
    private final int errno;

    public StepFailedException(String isolator, String step, int errno, String errnoName, String errnoText) {
        super(isolator + ": " + step + " failed: " + errnoName + " (" + errnoText + ")");
        this.isolator = isolator;
        this.step = step;
        this.errno = errno;
        this.errnoName = errnoName;
    }

    /** The isolator that contributed the step ({@code "core"} for the runtime's own steps). */
    public String isolator() {
        return isolator;
    }

    public String step() {
        return step;
    }

    public int errno() {
        return errno;
    }

    public String errnoName() {
        return errnoName;
    }
}
