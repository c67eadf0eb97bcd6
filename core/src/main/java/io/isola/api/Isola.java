package io.isola.api;

import io.isola.spi.NamespaceIsolator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The container runtime: starts containers from specs with the isolators it is given.
 *
 * <p>One instance serves any number of threads; create it once (loading the native layer costs a
 * few hundred milliseconds) and close it when done. The isolators may come from a fixed list, from
 * {@link ServiceLoader}, or from a live source such as an OSGi service tracker, which is asked
 * again for every container.
 *
 * <p>Run as root, the application's process becomes non-dumpable ({@code PR_SET_DUMPABLE} 0) when
 * isola's native layer loads, and stays so for its life, as runc's own process does: every
 * container process is a clone of it until execve, and a dumpable clone would show a container
 * the host's java binary ({@code /proc/PID/exe}), files and memory. The kernel then writes no core
 * dump of the application, and only tools with CAP_SYS_PTRACE may attach to it.
 */
public final class Isola implements AutoCloseable {

    private final RuntimeProvider.Engine engine;

    private Isola(RuntimeProvider.Engine engine) {
        this.engine = engine;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A runtime with every isolator that {@link ServiceLoader} finds on the class path. Throws
     * {@link IsolaException} naming the isolator and the class it lacks when one cannot be loaded.
     */
    public static Isola fromServiceLoader() {
        return builder()
                .isolators(Runtimes.provider().classPathIsolators(Isola.class.getClassLoader()))
                .build();
    }

    /**
     * Starts a container and returns once its command runs. Throws {@link StepFailedException} when
     * a setup step failed in the child, {@link IllegalArgumentException} for a spec the runtime's
     * isolators reject, and {@link IsolaException} for anything else; in every case the command did
     * not run and nothing is left behind.
     */
    public Container start(ContainerSpec spec) {
        return engine.start(spec);
    }

    /**
     * Opens the gate of a container created with {@link DeferredStart} in {@code stateDir}, from
     * any process, and returns once its command runs. Throws {@link ExecFailedException} when no
     * exec candidate could run, {@link IsolaException} when the process no longer waits.
     */
    public static void startCreated(Path stateDir, Duration timeout) {
        Runtimes.provider().startCreated(stateDir, timeout);
    }

    /** Starts a container and waits for its command to end. */
    public ExitStatus run(ContainerSpec spec) throws InterruptedException {
        try (Container container = start(spec)) {
            return container.waitFor();
        }
    }

    /** The isolators available now, in the kernel's namespace order. */
    public List<NamespaceIsolator> isolators() {
        return engine.isolators();
    }

    /** Kills and releases containers still running from this runtime, and its threads. */
    @Override
    public void close() {
        engine.close();
    }

    public static final class Builder {
        private Supplier<? extends Collection<? extends NamespaceIsolator>> source = List::of;
        private Set<String> defaults;

        private Builder() {}

        public Builder isolators(Collection<? extends NamespaceIsolator> isolators) {
            List<NamespaceIsolator> fixed = List.copyOf(isolators);
            this.source = () -> fixed;
            return this;
        }

        /** Isolators asked for again at every start, such as the services an OSGi tracker holds. */
        public Builder isolatorSource(Supplier<? extends Collection<? extends NamespaceIsolator>> source) {
            this.source = Objects.requireNonNull(source, "source");
            return this;
        }

        /** The isolators a spec gets when it names none; by default every available one. */
        public Builder defaultIsolators(Set<String> names) {
            this.defaults = Set.copyOf(names);
            return this;
        }

        public Isola build() {
            return new Isola(Runtimes.provider().engine(source, defaults));
        }
    }
}
