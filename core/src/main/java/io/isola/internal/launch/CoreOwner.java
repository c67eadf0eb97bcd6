package io.isola.internal.launch;

import io.isola.spi.Isolation;
import io.isola.spi.IsolationRequest;
import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;

/**
 * The name under which host-side work of the core's own (joins by path, sysctls, the cgroups of
 * an exec) reports its failures, as an isolator's would be. Never prepared: the core makes that
 * work itself.
 */
record CoreOwner(String name, Namespace namespace) implements NamespaceIsolator {

    @Override
    public Isolation prepare(IsolationRequest request) {
        throw new UnsupportedOperationException("the core's " + name + " work is not an isolator");
    }
}
