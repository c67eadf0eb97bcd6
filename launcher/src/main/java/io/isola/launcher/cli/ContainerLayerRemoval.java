package io.isola.launcher.cli;

import io.isola.launcher.image.ContainerLayers;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.SavedRoot;
import java.io.IOException;
import java.io.UncheckedIOException;

/** What {@code rm} removes beside the state: the writable layer an image's container kept (Docker's rule). */
final class ContainerLayerRemoval {

    private ContainerLayerRemoval() {}

    static void after(ContainerState removed) {
        SavedRoot root = removed == null ? null : removed.savedRoot();
        if (root == null || root.writableLayer() == null) {
            return;
        }
        try {
            ContainerLayers.remove(root.writableLayer());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the writable layer " + root.writableLayer(), e);
        }
    }
}
