package io.isola.launcher.cli.format;

import java.util.LinkedHashMap;

/**
 * A record whose fields a template names, as Docker's Go structs: a field it lacks is an error
 * naming the ones it has (a plain map, such as labels, gives {@code <no value>} as Go's maps do).
 */
public final class Struct extends LinkedHashMap<String, Object> {

    private final String type;

    /** {@code type}: what an error calls it ("container", "image"). */
    public Struct(String type) {
        this.type = type;
    }

    public Struct with(String field, Object value) {
        put(field, value);
        return this;
    }

    String type() {
        return type;
    }
}
