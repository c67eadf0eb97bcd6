package io.isola.ns.mount;

import io.isola.api.ContainerSpec;
import io.isola.api.Filesystem;
import io.isola.api.Isola;
import io.isola.spi.Namespace;
import io.isola.testing.Outcome;
import io.isola.testing.TestIsolator;
import java.util.List;

/** A runtime with the real mount isolator and plain PID and IPC namespaces, and a shorthand to run scripts in it. */
final class Containers {

    private Containers() {}

    static Isola runtime() {
        return Isola.builder()
                .isolators(List.of(
                        new MountIsolator(),
                        TestIsolator.plain("pid", Namespace.PID),
                        TestIsolator.plain("ipc", Namespace.IPC)))
                .build();
    }

    static Outcome sh(Isola isola, Filesystem filesystem, String script) throws Exception {
        return Outcome.of(
                isola,
                ContainerSpec.builder("/bin/sh", "-c", script).with(filesystem).build());
    }
}
