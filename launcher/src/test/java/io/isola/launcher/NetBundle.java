package io.isola.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The tests' bundle directory with the reactor's ns-net bundle in it: an engine's config.json
 * asks for a network namespace of the container's own (containerd's default, podman's {@code
 * --network none} and its pods), which only ns-net makes; this module's tests do not install it.
 */
final class NetBundle {

    private NetBundle() {}

    /** {@code bundles} itself when it has ns-net, else a copy with it, made in {@code copy}. */
    static Path added(Path bundles, Path copy) throws IOException {
        try (var jars = Files.list(bundles)) {
            if (jars.anyMatch(p -> p.getFileName().toString().startsWith("isola-ns-net-"))) {
                return bundles;
            }
        }
        Files.createDirectories(copy);
        try (var jars = Files.list(bundles)) {
            for (Path jar : jars.toList()) {
                Files.copy(jar, copy.resolve(jar.getFileName()));
            }
        }
        Path netTarget =
                bundles.toAbsolutePath().getParent().getParent().getParent().resolve("ns-net/target");
        try (var jars = Files.list(netTarget)) {
            Path net = jars.filter(p -> p.getFileName().toString().matches("isola-ns-net-[^-]+(-SNAPSHOT)?\\.jar"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no ns-net bundle in " + netTarget + "; build the reactor"));
            Files.copy(net, copy.resolve(net.getFileName()));
        }
        return copy;
    }
}
