package io.isola.internal.launch;

import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.spi.Namespace;
import io.isola.testing.TestIsolator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A host JVM that dies before the gate: it starts a container whose host-side setup publishes the
 * child's pid and then blocks, so that {@link HostDeathTest} can kill this JVM at that moment.
 */
public final class HostDeathMain {

    public static void main(String[] args) throws Exception {
        Path marker = Path.of(args[0]);
        Path pidFile = Path.of(args[1]);
        try (Isola isola = Isola.builder()
                .isolators(List.of(
                        TestIsolator.plain("mount", Namespace.MOUNT),
                        TestIsolator.afterClone("stall", Namespace.UTS, child -> {
                            Files.writeString(pidFile, Long.toString(child.pid()));
                            Thread.sleep(120_000);
                        })))
                .build()) {
            isola.run(ContainerSpec.builder("touch", marker.toString()).build());
        }
    }
}
