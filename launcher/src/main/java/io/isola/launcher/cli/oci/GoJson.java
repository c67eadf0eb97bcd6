package io.isola.launcher.cli.oci;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * JSON laid out as Go's {@code json.MarshalIndent} lays it out, which is what runc prints and what
 * tools that compare a runtime's output with runc's expect: {@code "key": value} with no space
 * before the colon, every array element and object member on a line of its own, and {@code []}
 * and {@code {}} for empty ones (Jackson's own pretty printer differs in all three).
 */
final class GoJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private GoJson() {}

    /** {@code value} indented by {@code indent} per level, as MarshalIndent(value, "", indent). */
    static String indented(Object value, String indent) {
        try {
            return MAPPER.writer(new Printer(indent)).writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    /** {@code value} on one line, as json.Marshal writes it. */
    static String compact(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    private static final class Printer extends DefaultPrettyPrinter {
        private final String indent;

        Printer(String indent) {
            super(DEFAULT_SEPARATORS.withObjectFieldValueSpacing(Separators.Spacing.AFTER));
            this.indent = indent;
            DefaultIndenter lines = new DefaultIndenter(indent, "\n");
            indentObjectsWith(lines);
            indentArraysWith(lines);
        }

        private Printer(Printer base) {
            super(base);
            this.indent = base.indent;
        }

        @Override
        public DefaultPrettyPrinter createInstance() {
            return new Printer(this);
        }

        @Override
        public void writeEndArray(JsonGenerator g, int values) throws IOException {
            if (values == 0) {
                _nesting--;
                g.writeRaw(']');
                return;
            }
            super.writeEndArray(g, values);
        }

        @Override
        public void writeEndObject(JsonGenerator g, int entries) throws IOException {
            if (entries == 0) {
                _nesting--;
                g.writeRaw('}');
                return;
            }
            super.writeEndObject(g, entries);
        }
    }
}
