package io.isola.ns.mount;

import io.isola.spi.support.OverlayLayers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

/** Lookups in an overlayfs root before it is mounted: in the layer {@link OverlayLayers} says shows the entry. */
final class OverlayBacking implements Backing {

    private final List<Path> layers;
    private final Backing[] hosts;

    OverlayBacking(List<Path> layersTopFirst) {
        this.layers = List.copyOf(layersTopFirst);
        this.hosts = layers.stream().map(Backing::host).toArray(Backing[]::new);
    }

    @Override
    public Entry lookup(List<String> relative) {
        OptionalInt layer;
        try {
            layer = OverlayLayers.topmost(layers, relative);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return layer.isPresent() ? hosts[layer.getAsInt()].lookup(relative) : Entry.MISSING;
    }
}
