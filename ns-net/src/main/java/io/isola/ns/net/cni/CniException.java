package io.isola.ns.net.cni;

/**
 * A CNI operation that failed: a plugin that is missing or returned an error, or a network
 * configuration that is unusable. The message names the network, its file and the plugin.
 */
public final class CniException extends Exception {

    /** The CNI error code a plugin returned (spec: 1-99 well-known, 100+ plugin-specific), or 0. */
    private final int code;

    public CniException(String message) {
        this(message, 0, null);
    }

    public CniException(String message, int code, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public int code() {
        return code;
    }
}
