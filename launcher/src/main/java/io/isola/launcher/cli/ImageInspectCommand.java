package io.isola.launcher.cli;

import io.isola.launcher.cli.format.InspectOutput;
import io.isola.launcher.image.ImageInspection;
import io.isola.launcher.image.ImageSource;
import io.isola.launcher.image.ImageStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code isola image inspect [-f FORMAT] IMAGE...}: Docker's fields of stored images, as JSON or through a Go template. */
@Command(
        name = "inspect",
        description = {
            "Show images as JSON with Docker's fields (Id, RepoTags, Created, Config,",
            "Architecture, Os, Size, RootFS, ...); -f: json or a Go template, once per image ({{.Config.Cmd}}, {{.Size}})."
        })
final class ImageInspectCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private InspectFormat format;

    @Parameters(arity = "1..*", paramLabel = "IMAGE")
    private List<String> names;

    @Override
    public Integer call() throws IOException {
        InspectOutput output = format.output();
        ImageStore store = ImageStore.fromEnvironment();
        List<Map<String, Object>> images = new ArrayList<>();
        for (String name : names) {
            images.add(ImageInspection.of(store, ImageSource.stored(store, name).orElseGet(() -> store.get(name))));
        }
        output.print(spec.commandLine().getOut(), images);
        return 0;
    }
}
