package io.isola.internal.launch;

import io.isola.api.IsolaException;
import io.isola.spi.NamespaceIsolator;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The isolators that {@link ServiceLoader} finds on a class path (isola without OSGi). An isolator
 * jar without the jars it needs (slf4j, jnr-ffi, Jackson: what io.isola:isola-core brings) fails
 * with the missing class named, not with ServiceLoader's stack trace. It fails rather than skips:
 * a container started without a requested isolator (cgroup limits, a namespace) would be weaker
 * than the caller asked.
 */
public final class ClassPathIsolators {

    private ClassPathIsolators() {}

    public static List<NamespaceIsolator> load(ClassLoader loader) {
        List<NamespaceIsolator> found = new ArrayList<>();
        Iterator<ServiceLoader.Provider<NamespaceIsolator>> providers =
                ServiceLoader.load(NamespaceIsolator.class, loader).stream().iterator();
        while (true) {
            ServiceLoader.Provider<NamespaceIsolator> provider;
            try {
                if (!providers.hasNext()) {
                    return found;
                }
                provider = providers.next();
            } catch (ServiceConfigurationError e) { // the class itself could not be loaded
                throw unloadable("an isolator", e);
            }
            try {
                found.add(provider.get());
            } catch (ServiceConfigurationError e) {
                throw unloadable("isolator " + provider.type().getName(), e);
            }
        }
    }

    private static IsolaException unloadable(String isolator, ServiceConfigurationError error) {
        String missing = missingClass(error);
        String reason =
                missing == null ? error.getMessage() : "it needs class " + missing + ", which is not on the class path";
        return new IsolaException(
                isolator + " on the class path cannot be loaded: " + reason
                        + "; depend on io.isola:isola-core with Maven or Gradle (it brings what the isolators need),"
                        + " or put every jar of the distribution's lib/ on the class path",
                error);
    }

    /** The class a NoClassDefFoundError or ClassNotFoundException in the causes names, or null. */
    private static String missingClass(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if ((cause instanceof NoClassDefFoundError || cause instanceof ClassNotFoundException)
                    && cause.getMessage() != null) {
                return cause.getMessage().replace('/', '.');
            }
        }
        return null;
    }
}
