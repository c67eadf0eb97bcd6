package io.isola.launcher;

import io.isola.api.Isola;
import java.time.Duration;
import java.util.Set;

/**
 * The runtime a verb needs: Felix with the isolator bundles, for verbs that create namespaces; a
 * bare {@link Isola} (no isolators, no Felix to boot) for exec, which only joins existing ones.
 */
final class IsolaRuntime implements AutoCloseable {

    private static final Duration ISOLATOR_WAIT = Duration.ofSeconds(5);

    private final FelixRuntime felix;
    private final Isola isola;

    private IsolaRuntime(FelixRuntime felix, Isola isola) {
        this.felix = felix;
        this.isola = isola;
    }

    static IsolaRuntime withIsolators(Set<String> names) throws InterruptedException {
        FelixRuntime felix = FelixRuntime.start(Layout.bundles());
        try {
            Isola isola = Isola.builder().isolatorSource(felix.isolators())
                    .defaultIsolators(RunCommand.DEFAULT_ISOLATORS).build();
            felix.requireIsolators(names, ISOLATOR_WAIT);
            return new IsolaRuntime(felix, isola);
        } catch (RuntimeException | InterruptedException e) {
            felix.close();
            throw e;
        }
    }

    static IsolaRuntime bare() {
        return new IsolaRuntime(null, Isola.builder().build());
    }

    Isola isola() {
        return isola;
    }

    @Override
    public void close() {
        isola.close();
        if (felix != null) {
            felix.close();
        }
    }
}
