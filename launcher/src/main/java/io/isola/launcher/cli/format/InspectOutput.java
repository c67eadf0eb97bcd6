package io.isola.launcher.cli.format;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;

/**
 * What the inspect verbs print (containers, images, volumes, networks), as Docker's do: the items
 * as one indented JSON array, or, with {@code -f}, a Go template run once per item. The template
 * sees each item through JSON and back, so that {@code {{.Field}}} finds what the JSON shows.
 */
public final class InspectOutput {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** null: the JSON array. */
    private final GoTemplate template;

    private InspectOutput(GoTemplate template) {
        this.template = template;
    }

    /**
     * For {@code -f FORMAT}: {@code json}, a Go template, or null for the JSON array. A bad
     * template is refused here, before anything is read.
     */
    public static InspectOutput of(String format) {
        return new InspectOutput(format == null ? null : GoTemplate.ofFormat(format));
    }

    public void print(PrintWriter out, List<?> items) throws IOException {
        if (template == null) {
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(items));
        } else {
            for (Object item : JSON.readValue(JSON.writeValueAsBytes(items), List.class)) {
                out.println(template.execute(item));
            }
        }
        out.flush();
    }
}
