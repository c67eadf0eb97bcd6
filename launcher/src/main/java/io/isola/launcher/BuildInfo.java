package io.isola.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** Versions the build wrote into {@code launcher.properties}, so that they live only in the pom. */
public final class BuildInfo {

    private static final Properties PROPERTIES = load();

    private BuildInfo() {}

    public static String version() {
        return PROPERTIES.getProperty("version");
    }

    public static String slf4jVersion() {
        return PROPERTIES.getProperty("slf4j.version");
    }

    private static Properties load() {
        try (InputStream in = BuildInfo.class.getResourceAsStream("launcher.properties")) {
            if (in == null) {
                throw new IllegalStateException("launcher.properties is missing from the launcher jar");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
