package io.isola.internal.launch;

import io.isola.spi.Isolation;
import io.isola.spi.NamespaceIsolator;

/** One isolator's isolation for one container, with the name errors are reported under. */
record PreparedIsolation(NamespaceIsolator isolator, Isolation isolation) {

    String name() {
        return isolator.name();
    }
}
