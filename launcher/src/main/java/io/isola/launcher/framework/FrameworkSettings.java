package io.isola.launcher.framework;

import io.isola.api.IsolaException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * The framework's settings, from {@code isola.properties} in the configuration directory: which
 * of the bundles in {@code bundles/} are installed and started, which directory is watched for
 * plugins, and how often. Every key is optional; an unknown key or a bad value is an error that
 * names the file, the key and what is allowed.
 *
 * <p>The isolators' own settings are not here: each has its {@code <pid>.cfg} beside this file,
 * which FileInstall hands to ConfigAdmin (see {@code conf/README}).
 */
public record FrameworkSettings(List<String> bundlePatterns, Path plugins, long pollMillis) {

    static final String FILE = "isola.properties";
    static final FrameworkSettings DEFAULTS = new FrameworkSettings(List.of("*.jar"), null, 1000);
    private static final Set<String> KEYS = Set.of("bundles", "plugins", "poll");

    /** The settings in {@code confDir}, or the defaults when it has no {@code isola.properties}. */
    public static FrameworkSettings load(Path confDir) {
        if (confDir == null) {
            return DEFAULTS;
        }
        if (!Files.isDirectory(confDir)) {
            throw new IsolaException("configuration directory " + confDir
                    + " does not exist; expected a directory with " + FILE + " and the isolators' .cfg files");
        }
        Path file = confDir.resolve(FILE);
        if (!Files.exists(file)) {
            return new FrameworkSettings(
                    DEFAULTS.bundlePatterns, home(confDir).resolve("plugins"), DEFAULTS.pollMillis);
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new IsolaException(file + " cannot be read: " + e.getMessage(), e);
        }
        for (String key : p.stringPropertyNames()) {
            if (!KEYS.contains(key)) {
                throw new IsolaException(file + ": unknown key \"" + key + "\"; allowed: bundles, plugins, poll");
            }
        }
        List<String> patterns = new ArrayList<>();
        for (String pattern : p.getProperty("bundles", "*.jar").split(",")) {
            if (!pattern.isBlank()) {
                patterns.add(pattern.strip());
            }
        }
        if (patterns.isEmpty()) {
            throw new IsolaException(file + ": bundles \"" + p.getProperty("bundles")
                    + "\": expected comma-separated file name patterns such as *.jar");
        }
        String plugins = p.getProperty("plugins", "plugins").strip();
        String poll = p.getProperty("poll", "1000").strip();
        long millis;
        try {
            millis = Long.parseLong(poll);
        } catch (NumberFormatException e) {
            millis = -1;
        }
        if (millis < 50 || millis > 60_000) {
            throw new IsolaException(file + ": poll \"" + poll + "\": expected milliseconds from 50 to 60000");
        }
        return new FrameworkSettings(
                List.copyOf(patterns), plugins.isEmpty() ? null : home(confDir).resolve(plugins), millis);
    }

    /** Relative directories are taken from the directory above conf/: isola's home in a distribution. */
    private static Path home(Path confDir) {
        Path parent = confDir.toAbsolutePath().normalize().getParent();
        return parent == null ? confDir.toAbsolutePath() : parent;
    }

    /** Whether {@code bundles/} file {@code name} is to be installed. */
    boolean installs(Path jar) {
        for (String pattern : bundlePatterns) {
            PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
            if (matcher.matches(jar.getFileName())) {
                return true;
            }
        }
        return false;
    }
}
