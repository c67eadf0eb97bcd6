package io.isola.launcher.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.isola.launcher.cli.format.ListFormat;
import io.isola.launcher.cli.format.Struct;
import io.isola.launcher.image.Image;
import io.isola.launcher.image.ImageStore;
import java.io.PrintWriter;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code isola images}: the local store's images, as Docker users type it: {@code -q},
 * {@code --no-trunc}, {@code --filter reference=PATTERN|label=KEY[=VALUE]} and {@code --format} with Docker's fields.
 */
@Command(
        name = "images",
        description = {
            "List the images in the local store.",
            "--format: table, json, 'table TEMPLATE' or a Go TEMPLATE with Docker's fields ({{.Repository}},",
            "{{.Tag}}, {{.ID}}, {{.CreatedSince}}, {{.CreatedAt}}, {{.Size}}). isola keeps no intermediate",
            "images, so -a shows what the default shows."
        })
final class ImagesCommand implements Callable<Integer> {

    @Option(names = "--format", paramLabel = "FORMAT", description = "table, json, 'table TEMPLATE' or a Go TEMPLATE.")
    private String format;

    @Option(
            names = {"-f", "--filter"},
            paramLabel = "KEY=VALUE",
            description = "reference=PATTERN: images whose name matches ('*' within a path component);"
                    + " label=KEY or label=KEY=VALUE: images whose config has that label; repeat to narrow.")
    private List<String> filters = new ArrayList<>();

    @Option(
            names = {"-q", "--quiet"},
            description = "Print image ids only.")
    private boolean quiet;

    @Option(names = "--no-trunc", description = "Whole ids.")
    private boolean noTrunc;

    @Option(
            names = {"-a", "--all"},
            description = "Accepted: isola has no intermediate images.")
    private boolean all;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        List<PathMatcher> references = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (String filter : filters) {
            if (filter.startsWith("label=") && filter.length() > "label=".length()) {
                labels.add(filter.substring("label=".length()));
                continue;
            }
            if (!filter.startsWith("reference=") || filter.length() == "reference=".length()) {
                throw new IllegalArgumentException(
                        "filter \"" + filter + "\": expected reference=PATTERN, label=KEY or label=KEY=VALUE");
            }
            references.add(FileSystems.getDefault().getPathMatcher("glob:" + filter.substring("reference=".length())));
        }
        ImageStore store = ImageStore.fromEnvironment();
        List<Image> images = store.list().stream()
                .filter(image -> references.stream()
                        .allMatch(
                                m -> m.matches(Path.of(image.name())) || m.matches(Path.of(repository(image.name())))))
                .filter(image -> labels.isEmpty() || hasLabels(store, image, labels))
                .toList();
        PrintWriter out = spec.commandLine().getOut();
        ListFormat list = ListFormat.parse(format);
        if (quiet) {
            images.forEach(image -> out.println(id(image)));
            out.flush();
        } else if (list.isDefault()) {
            ImageCommand.print(out, images);
        } else {
            list.print(images.stream().map(this::row).toList(), header(), out);
        }
        return 0;
    }

    /** Whether the image's config has every one of {@code labels} (KEY, or KEY=VALUE), as Docker's label filter. */
    private static boolean hasLabels(ImageStore store, Image image, List<String> labels) {
        JsonNode own = store.configOf(image).path("config").path("Labels");
        return labels.stream().allMatch(label -> {
            int equals = label.indexOf('=');
            String key = equals < 0 ? label : label.substring(0, equals);
            return own.has(key) && (equals < 0 || own.path(key).asText().equals(label.substring(equals + 1)));
        });
    }

    private String id(Image image) {
        return noTrunc ? image.id() : image.shortId();
    }

    private Struct row(Image image) {
        return new Struct("image")
                .with("Repository", repository(image.name()))
                .with("Tag", tag(image.name()))
                .with("ID", id(image))
                .with("Digest", "<none>")
                .with("CreatedAt", image.imported())
                .with("CreatedSince", Durations.ago(image.imported()))
                .with("Size", ByteSizes.human(image.size()))
                .with("Containers", "N/A");
    }

    private static Struct header() {
        return new Struct("image")
                .with("Repository", "REPOSITORY")
                .with("Tag", "TAG")
                .with("ID", "IMAGE ID")
                .with("Digest", "DIGEST")
                .with("CreatedAt", "CREATED AT")
                .with("CreatedSince", "CREATED")
                .with("Size", "SIZE")
                .with("Containers", "CONTAINERS");
    }

    /** NAME of NAME:TAG (a colon in a registry's host:port is not a tag's). */
    static String repository(String name) {
        int colon = name.lastIndexOf(':');
        return colon > name.lastIndexOf('/') ? name.substring(0, colon) : name;
    }

    static String tag(String name) {
        int colon = name.lastIndexOf(':');
        return colon > name.lastIndexOf('/') ? name.substring(colon + 1) : "latest";
    }
}
