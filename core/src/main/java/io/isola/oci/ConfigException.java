package io.isola.oci;

/**
 * A config.json (or an exec's process.json) that isola refuses, with the JSON path of the field as
 * data, so that a caller that rewords or re-scopes the error (an exec names its process file, a
 * section names itself around a builder's refusal) decides by type, never by a message's text.
 */
public final class ConfigException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String path;
    private final String reason;

    /**
     * @param path the dotted JSON path ("linux.resources.pids.limit"); null when the refusal is of
     *     the document as a whole (fields it does not support)
     * @param reason what is wrong and what is allowed
     */
    public ConfigException(String path, String reason) {
        super("config.json: " + (path == null ? "" : path + ": ") + reason);
        this.path = path;
        this.reason = reason;
    }

    public ConfigException(String path, String reason, Throwable cause) {
        this(path, reason);
        initCause(cause);
    }

    /** The dotted JSON path of the refused field, or null for the document as a whole. */
    public String path() {
        return path;
    }

    public String reason() {
        return reason;
    }

    /** The message without the file's name: the path and the reason. */
    public String detail() {
        return path == null ? reason : path + ": " + reason;
    }
}
