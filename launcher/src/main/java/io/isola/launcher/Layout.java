package io.isola.launcher;

import io.isola.api.IsolaException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;

/**
 * Where the distribution's parts are. {@code bin/isola} sets {@code isola.home}; tests point
 * {@code isola.bundles} (and {@code isola.conf}, {@code isola.plugins}) at directories of their
 * own; a bare {@code java -cp 'lib/*'} falls back to the directory above the launcher jar.
 */
public final class Layout {

    /** The environment variable that names the configuration directory, as {@code --config} does. */
    static final String CONF_ENV = "ISOLA_CONF";

    private Layout() {}

    public static Path bundles() {
        String explicit = System.getProperty("isola.bundles");
        if (explicit != null) {
            return Path.of(explicit);
        }
        return home().resolve("bundles");
    }

    /**
     * The configuration directory: {@code option} (a command line's {@code --config DIR}), else
     * {@code $ISOLA_CONF}, else the {@code isola.conf} property, else {@code conf/} of the
     * distribution. Null when none applies and the distribution has no conf/ (a bare class path in
     * tests). The option is passed, never kept: the resident server runs commands at once in one
     * JVM, each with its own.
     */
    public static Path conf(Path option) {
        if (option != null) {
            return option;
        }
        String env = System.getenv(CONF_ENV);
        if (env != null && !env.isEmpty()) {
            return Path.of(env);
        }
        String property = System.getProperty("isola.conf");
        if (property != null) {
            return Path.of(property);
        }
        if (System.getProperty("isola.bundles") != null && System.getProperty("isola.home") == null) {
            return null; // tests with a bundle directory of their own and no configuration
        }
        return home().resolve("conf");
    }

    private static Path home() {
        String home = System.getProperty("isola.home");
        if (home != null) {
            return Path.of(home);
        }
        try {
            CodeSource source = Layout.class.getProtectionDomain().getCodeSource();
            Path jar = Path.of(source.getLocation().toURI());
            // <home>/lib/isola-launcher.jar
            return jar.toAbsolutePath().getParent().getParent();
        } catch (URISyntaxException | RuntimeException e) {
            throw new IsolaException("cannot tell where isola is installed: start it through bin/isola");
        }
    }
}
