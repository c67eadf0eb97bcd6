package io.isola.internal.osgi;

import io.isola.spi.NamespaceIsolator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.Manifest;

/**
 * The packages the core exports, with their versions, read from the core's own OSGi manifest (which
 * bnd writes from each package's {@code @Version}), so the system bundle offers plugins exactly
 * what the build versioned and baselined, and no second list can fall out of step.
 *
 * <p>The core is not a bundle there: it is on the application class path, and the system bundle
 * exports these packages on its behalf (the launcher's Felix, and tests that boot a framework).
 */
public final class CoreExports {

    public static final String CORE_SYMBOLIC_NAME = "io.isola.core";

    private CoreExports() {}

    /**
     * Jackson's jars, which the core uses too, by their symbolic names: the system bundle exports
     * their packages as well, so a bundle (ns-net) imports the class path's Jackson instead of
     * copying it in. Loaded by the application class loader, those classes are in the CLI's
     * class-data archive; a bundle's copy was read and verified anew at every start (~370 classes
     * of ns-net, in every cold {@code create}, issue 17).
     */
    static final List<String> JACKSON = List.of(
            "com.fasterxml.jackson.core.jackson-annotations",
            "com.fasterxml.jackson.core.jackson-core",
            "com.fasterxml.jackson.core.jackson-databind");

    /** {@code name;version=V,...} for {@code org.osgi.framework.system.packages.extra}. */
    public static String systemPackages() {
        ClassLoader loader = NamespaceIsolator.class.getClassLoader();
        List<String> packages = new ArrayList<>(packages(
                manifest(loader, CORE_SYMBOLIC_NAME).getMainAttributes().getValue("Export-Package")));
        for (String jackson : JACKSON) {
            packages.addAll(
                    packages(manifest(loader, jackson).getMainAttributes().getValue("Export-Package")));
        }
        return String.join(",", packages);
    }

    /**
     * The clauses of an Export-Package header reduced to name and version: directives such as
     * {@code uses:=} name packages the system bundle does not export.
     */
    public static List<String> packages(String header) {
        if (header == null || header.isBlank()) {
            throw new IllegalStateException("the isola core manifest exports no package");
        }
        List<String> packages = new ArrayList<>();
        for (String clause : splitOutsideQuotes(header, ',')) {
            List<String> parts = splitOutsideQuotes(clause, ';');
            String version = null;
            for (String part : parts.subList(1, parts.size())) {
                String p = part.strip();
                if (p.startsWith("version=")) {
                    version = p.substring("version=".length()).replace("\"", "");
                }
            }
            if (version == null) {
                throw new IllegalStateException(
                        "the isola core exports " + parts.get(0).strip() + " without a version");
            }
            packages.add(parts.get(0).strip() + ";version=" + version);
        }
        return packages;
    }

    private static Manifest manifest(ClassLoader loader, String symbolicName) {
        try {
            Enumeration<URL> manifests = loader.getResources("META-INF/MANIFEST.MF");
            while (manifests.hasMoreElements()) {
                try (InputStream in = manifests.nextElement().openStream()) {
                    Manifest manifest = new Manifest(in);
                    String bsn = manifest.getMainAttributes().getValue("Bundle-SymbolicName");
                    if (bsn != null && bsn.split(";")[0].strip().equals(symbolicName)) {
                        return manifest;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no manifest of " + symbolicName + " on the class path: the isola core's and "
                + "Jackson's jars must keep their OSGi manifests (a repackaged jar loses them)");
    }

    private static List<String> splitOutsideQuotes(String text, char separator) {
        List<String> parts = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == separator && !quoted) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(text.substring(start));
        return parts;
    }
}
