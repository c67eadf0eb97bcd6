package io.isola.launcher.cli;

import io.isola.launcher.image.Image;
import io.isola.launcher.image.ImageSource;
import io.isola.launcher.image.ImageStore;
import io.isola.launcher.registry.ImageReference;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code isola tag SOURCE TARGET}: another name for an image in the store, as {@code docker tag}. */
@Command(
        name = "tag",
        description = {
            "Give an image in the store another name, TARGET[:TAG] (':latest' when no tag),",
            "as a registry would take it: HOST[:PORT]/PATH for another registry, PATH alone for Docker Hub."
        })
final class TagCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "SOURCE", description = "The image.")
    private String source;

    @Parameters(index = "1", paramLabel = "TARGET", description = "Its new name.")
    private String target;

    @Override
    public Integer call() throws IOException {
        ImageStore store = ImageStore.fromEnvironment();
        Image image = ImageSource.stored(store, source).orElseGet(() -> store.get(source));
        ImageReference reference = ImageReference.parse(target);
        if (reference.tag() == null) {
            throw new IllegalArgumentException("target \"" + target + "\": expected NAME[:TAG], not a digest");
        }
        store.tag(image, reference.storeName());
        return 0;
    }
}
