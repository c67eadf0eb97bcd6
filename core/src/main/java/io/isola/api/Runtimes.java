package io.isola.api;

import java.util.ServiceLoader;

/** The {@link RuntimeProvider}, found once, when the API first needs it. */
final class Runtimes {

    private Runtimes() {}

    private static final class Holder {
        // the API's own class loader: the core jar on a class path, the core bundle in OSGi
        static final RuntimeProvider PROVIDER = ServiceLoader.load(
                        RuntimeProvider.class, RuntimeProvider.class.getClassLoader())
                .findFirst()
                .orElseThrow(() -> new IsolaException("no " + RuntimeProvider.class.getName()
                        + " beside the API: put isola-core's jar, not the API's classes alone, on the class path"));
    }

    static RuntimeProvider provider() {
        return Holder.PROVIDER;
    }
}
