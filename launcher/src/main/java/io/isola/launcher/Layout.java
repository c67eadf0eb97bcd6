package io.isola.launcher;

import io.isola.api.IsolaException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;

/**
 * Where the distribution's parts are. {@code bin/isola} sets {@code isola.home}; tests point
 * {@code isola.bundles} at a directory of their own; a bare {@code java -cp 'lib/*'} falls back to
 * the directory above the launcher jar.
 */
final class Layout {

    private Layout() {}

    static Path bundles() {
        String explicit = System.getProperty("isola.bundles");
        if (explicit != null) {
            return Path.of(explicit);
        }
        return home().resolve("bundles");
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
