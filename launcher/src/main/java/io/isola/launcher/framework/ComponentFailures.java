package io.isola.launcher.framework;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The isolator components that Declarative Services could not activate, with the reason: a bad
 * value in a .cfg file makes the component's activate (or constructor) throw, and SCR would only
 * log it. Read from SCR's runtime DTOs (DS 1.4 {@code FAILED_ACTIVATION} and {@code failure}).
 *
 * <p>Through reflection: the DS API lives in a bundle, not on the launcher's class path, and the
 * DTOs are plain public fields.
 */
public final class ComponentFailures {

    private static final String RUNTIME = "org.osgi.service.component.runtime.ServiceComponentRuntime";
    private static final String ISOLATOR = "io.isola.spi.NamespaceIsolator";
    private static final int FAILED_ACTIVATION = 16;

    /** One isolator component that failed to activate. */
    public record Failure(String bundle, String component, String configFile, String reason) {
        String message() {
            return "isolator component " + component + " of bundle " + bundle + " failed to start: "
                    + (configFile == null ? "" : configFile + ": ") + reason;
        }
    }

    private ComponentFailures() {}

    static List<Failure> of(BundleContext context) {
        return of(context, runtimeReference(context));
    }

    /** SCR's runtime service, or null while there is none. */
    static ServiceReference<?> runtimeReference(BundleContext context) {
        return context.getServiceReference(RUNTIME);
    }

    /** The failures that SCR's runtime service of {@code reference} (null: none) reports. */
    static List<Failure> of(BundleContext context, ServiceReference<?> reference) {
        if (reference == null) {
            return List.of();
        }
        Object runtime = context.getService(reference);
        if (runtime == null) {
            return List.of();
        }
        try {
            return read(runtime);
        } catch (ReflectiveOperationException | ClassCastException e) {
            return List.of(new Failure("org.apache.felix.scr", "?", null, "its runtime state cannot be read: " + e));
        } finally {
            context.ungetService(reference);
        }
    }

    private static List<Failure> read(Object runtime) throws ReflectiveOperationException {
        Class<?> api = runtime.getClass().getClassLoader().loadClass(RUNTIME);
        Method descriptions = api.getMethod("getComponentDescriptionDTOs", Bundle[].class);
        Method descriptionClass = null;
        List<Failure> failures = new ArrayList<>();
        for (Object description : (Collection<?>) descriptions.invoke(runtime, (Object) new Bundle[0])) {
            String[] services = (String[]) field(description, "serviceInterfaces");
            if (services == null || !List.of(services).contains(ISOLATOR)) {
                continue;
            }
            if (descriptionClass == null) {
                descriptionClass = api.getMethod("getComponentConfigurationDTOs", description.getClass());
            }
            Object bundle = field(description, "bundle");
            String bundleName = field(bundle, "symbolicName") + " " + field(bundle, "version");
            for (Object configuration : (Collection<?>) descriptionClass.invoke(runtime, description)) {
                if ((int) field(configuration, "state") != FAILED_ACTIVATION) {
                    continue;
                }
                Map<?, ?> properties = (Map<?, ?>) field(configuration, "properties");
                Object file = properties == null ? null : properties.get(IsolatorTracker.CONFIG_FILE);
                failures.add(new Failure(
                        bundleName,
                        (String) field(description, "name"),
                        file == null ? null : ConfigFiles.display(file.toString()),
                        reason((String) field(configuration, "failure"))));
            }
        }
        return failures;
    }

    /**
     * The innermost cause's message of a stack trace that SCR kept as text: an activate method
     * or constructor that threw reaches SCR wrapped in reflection's exceptions.
     */
    static String reason(String trace) {
        if (trace == null || trace.isBlank()) {
            return "unknown reason";
        }
        String line = trace.lines().findFirst().orElse("");
        for (String l : trace.lines().toList()) {
            if (l.startsWith("Caused by: ")) {
                line = l.substring("Caused by: ".length());
            }
        }
        int colon = line.indexOf(": ");
        return colon > 0 ? line.substring(colon + 2) : line;
    }

    private static Object field(Object dto, String name) throws ReflectiveOperationException {
        Field field = dto.getClass().getField(name);
        return field.get(dto);
    }
}
