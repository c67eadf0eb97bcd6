package io.isola.launcher.cli;

import io.isola.launcher.cli.format.ListFormat;
import io.isola.launcher.cli.format.Struct;
import io.isola.launcher.image.Image;
import io.isola.launcher.image.ImageInspection;
import io.isola.launcher.image.ImageSource;
import io.isola.launcher.image.ImageStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code isola history IMAGE} (also {@code image history}): the steps that made an image, newest
 * first, from its config's history, with the size of each step's layer, as Docker lists them.
 */
@Command(
        name = "history",
        description = {
            "Show the history of an image, newest first: Docker's columns (IMAGE, CREATED,",
            "CREATED BY, SIZE, COMMENT); --format: table, json, 'table TEMPLATE' or a Go TEMPLATE with Docker's fields",
            "({{.ID}}, {{.CreatedSince}}, {{.CreatedAt}}, {{.CreatedBy}}, {{.Size}}, {{.Comment}})."
        })
final class HistoryCommand implements Callable<Integer> {

    /** Docker's width of CREATED BY unless --no-trunc. */
    private static final int CREATED_BY_WIDTH = 45;

    @Spec
    private CommandSpec spec;

    @Option(
            names = {"-H", "--human"},
            arity = "1",
            paramLabel = "true|false",
            description = "Sizes and dates for people (default true).")
    private boolean human = true;

    @Option(names = "--no-trunc", description = "Whole ids and commands.")
    private boolean noTrunc;

    @Option(
            names = {"-q", "--quiet"},
            description = "Print ids only.")
    private boolean quiet;

    @Option(names = "--format", paramLabel = "FORMAT", description = "table, json, 'table TEMPLATE' or a Go TEMPLATE.")
    private String format;

    @Parameters(index = "0", paramLabel = "IMAGE")
    private String name;

    @Override
    public Integer call() throws IOException {
        ImageStore store = ImageStore.fromEnvironment();
        Image image = ImageSource.stored(store, name).orElseGet(() -> store.get(name));
        List<ImageInspection.Step> steps = ImageInspection.history(store, image);
        List<Struct> rows = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            // only the image itself is an image here; the steps below it have no image of their own, as in Docker
            rows.add(row(steps.get(i), i == 0 ? (noTrunc ? image.id() : image.shortId()) : "<missing>"));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (quiet) {
            rows.forEach(row -> out.println(row.get("ID")));
        } else {
            ListFormat list = ListFormat.parse(format);
            if (list.isDefault()) {
                list = ListFormat.parse("table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}");
            }
            list.print(rows, header(), out);
        }
        out.flush();
        return 0;
    }

    private Struct row(ImageInspection.Step step, String id) {
        String createdBy = step.createdBy();
        if (!noTrunc && createdBy.length() > CREATED_BY_WIDTH) {
            createdBy = createdBy.substring(0, CREATED_BY_WIDTH - 1) + "\u2026";
        }
        String since = step.created().isEmpty() ? "N/A" : human ? Durations.ago(step.created()) : step.created();
        return new Struct("history")
                .with("ID", id)
                .with("CreatedSince", since)
                .with("CreatedAt", step.created())
                .with("CreatedBy", createdBy)
                .with("Size", human ? ByteSizes.human(step.size()) : Long.toString(step.size()))
                .with("Comment", step.comment());
    }

    private static Struct header() {
        return new Struct("history")
                .with("ID", "IMAGE")
                .with("CreatedSince", "CREATED")
                .with("CreatedAt", "CREATED AT")
                .with("CreatedBy", "CREATED BY")
                .with("Size", "SIZE")
                .with("Comment", "COMMENT");
    }
}
