package io.isola.api;

/** A container could not be created, started or handled; the message says what and why. */
public class IsolaException extends RuntimeException {

    public IsolaException(String message) {
        super(message);
    }

    public IsolaException(String message, Throwable cause) {
        super(message, cause);
    }
}
