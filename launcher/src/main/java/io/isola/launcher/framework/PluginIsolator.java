package io.isola.launcher.framework;

import io.isola.api.ContainerSpec;
import io.isola.api.IsolaException;
import io.isola.spi.ChildSteps;
import io.isola.spi.ClonedChild;
import io.isola.spi.Duty;
import io.isola.spi.Isolation;
import io.isola.spi.IsolationRequest;
import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;
import io.isola.spi.Phase;
import io.isola.spi.Step;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * An isolator service as the runtime uses it: its name and namespace read once, when it
 * registered, and every call into the plugin guarded, so that whatever a bundle throws (also an
 * {@link Error} such as the {@link NoSuchFieldError} of a phase this core does not have) becomes
 * an {@link IsolaException} naming the bundle, and the orchestrator's own clean-up runs.
 */
public final class PluginIsolator implements NamespaceIsolator {

    private static final String PHASES =
            Arrays.stream(Phase.values()).map(Phase::name).collect(Collectors.joining(", "));

    private final NamespaceIsolator delegate;
    private final String name;
    private final Namespace namespace;
    private final PluginInfo info;

    PluginIsolator(NamespaceIsolator delegate, String name, Namespace namespace, PluginInfo info) {
        this.delegate = delegate;
        this.name = name;
        this.namespace = namespace;
        this.info = info;
    }

    public PluginInfo info() {
        return info;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Namespace namespace() {
        return namespace;
    }

    @Override
    public Set<Duty> duties() {
        try {
            return delegate.duties();
        } catch (RuntimeException | LinkageError e) {
            throw failure(e);
        }
    }

    @Override
    public boolean servesWithoutNamespace() {
        try {
            return delegate.servesWithoutNamespace();
        } catch (RuntimeException | LinkageError e) {
            throw failure(e);
        }
    }

    @Override
    public boolean appliesTo(ContainerSpec spec) {
        try {
            return delegate.appliesTo(spec);
        } catch (RuntimeException | LinkageError e) {
            throw failure(e);
        }
    }

    @Override
    public Isolation prepare(IsolationRequest request) {
        Isolation isolation;
        try {
            isolation = delegate.prepare(request);
        } catch (IllegalArgumentException e) {
            throw e; // the user's input, named by the isolator
        } catch (Exception | LinkageError e) {
            throw failure(e);
        }
        return isolation == null ? null : new Guarded(isolation);
    }

    private IsolaException failure(Throwable e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        return new IsolaException(message + " (bundle " + info.bundle() + ")", e);
    }

    /** The plugin's isolation, each call guarded. */
    private final class Guarded implements Isolation {
        private final Isolation isolation;

        Guarded(Isolation isolation) {
            this.isolation = isolation;
        }

        @Override
        public void contribute(ChildSteps steps) {
            try {
                isolation.contribute(new CheckedSteps(steps));
            } catch (IsolaException e) {
                throw e;
            } catch (NoSuchFieldError e) {
                // a plugin built against a newer SPI names a phase this core lacks
                throw new IsolaException(
                        "isolator \"" + name + "\" contributed a step to a phase this runtime does not know ("
                                + e.getMessage() + "); known phases: " + PHASES + " (bundle " + info.bundle() + ")",
                        e);
            } catch (RuntimeException | LinkageError e) {
                String message = e.getMessage() == null ? e.toString() : e.getMessage();
                throw new IsolaException(
                        "isolator \"" + name + "\" failed to contribute its steps: " + message + " (bundle "
                                + info.bundle() + ")",
                        e);
            }
        }

        @Override
        public void afterClone(ClonedChild child) {
            try {
                isolation.afterClone(child);
            } catch (Exception | LinkageError e) {
                throw failure(e);
            }
        }

        @Override
        public <T> Optional<T> facet(Class<T> type) {
            return isolation.facet(type); // ResourceControl and the like, for the embedding application
        }

        @Override
        public void handOver() {
            try {
                isolation.handOver();
            } catch (Exception | LinkageError e) {
                throw failure(e);
            }
        }

        @Override
        public void close() {
            try {
                isolation.close();
            } catch (Exception | LinkageError e) {
                throw failure(e);
            }
        }
    }

    /** Steps in no phase are refused here, naming the bundle, rather than as a bare NullPointerException. */
    private final class CheckedSteps implements ChildSteps {
        private final ChildSteps steps;

        CheckedSteps(ChildSteps steps) {
            this.steps = steps;
        }

        @Override
        public void add(Phase phase, Step step) {
            steps.add(requirePhase(phase, step == null ? "a step" : "step '" + step.description() + "'"), step);
        }

        @Override
        public void checkpoint(Phase phase, String description) {
            steps.checkpoint(requirePhase(phase, "checkpoint '" + description + "'"), description);
        }

        @Override
        public void checkpoint(Phase phase, String description, Future<?> hostSide) {
            steps.checkpoint(requirePhase(phase, "checkpoint '" + description + "'"), description, hostSide);
        }

        @Override
        public void keepOpen(int fd) {
            steps.keepOpen(fd);
        }

        private Phase requirePhase(Phase phase, String what) {
            if (phase == null) {
                throw new IsolaException("isolator \"" + name + "\" contributed " + what
                        + " without a phase; known phases: " + PHASES + " (bundle " + info.bundle() + ")");
            }
            return phase;
        }
    }
}
