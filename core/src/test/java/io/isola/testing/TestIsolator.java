package io.isola.testing;

import io.isola.spi.ChildSteps;
import io.isola.spi.ClonedChild;
import io.isola.spi.Isolation;
import io.isola.spi.IsolationRequest;
import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;
import java.util.function.Consumer;

/**
 * An isolator for tests: creates its namespace, adds the given steps and runs the given host-side
 * action after the clone. Tests use it to exercise the orchestrator without the real bundles.
 */
public final class TestIsolator implements NamespaceIsolator {

    /** Host-side work after the clone, which may throw. */
    public interface AfterClone {
        void run(ClonedChild child) throws Exception;
    }

    private final String name;
    private final Namespace namespace;
    private final Consumer<ChildSteps> steps;
    private final AfterClone afterClone;

    public TestIsolator(String name, Namespace namespace, Consumer<ChildSteps> steps, AfterClone afterClone) {
        this.name = name;
        this.namespace = namespace;
        this.steps = steps;
        this.afterClone = afterClone;
    }

    /** Creates {@code namespace} and does nothing else. */
    public static TestIsolator plain(String name, Namespace namespace) {
        return new TestIsolator(name, namespace, s -> {}, c -> {});
    }

    public static TestIsolator withSteps(String name, Namespace namespace, Consumer<ChildSteps> steps) {
        return new TestIsolator(name, namespace, steps, c -> {});
    }

    public static TestIsolator afterClone(String name, Namespace namespace, AfterClone action) {
        return new TestIsolator(name, namespace, s -> {}, action);
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
    public Isolation prepare(IsolationRequest request) {
        return new Isolation() {
            @Override
            public void contribute(ChildSteps childSteps) {
                steps.accept(childSteps);
            }

            @Override
            public void afterClone(ClonedChild child) throws Exception {
                afterClone.run(child);
            }
        };
    }
}
