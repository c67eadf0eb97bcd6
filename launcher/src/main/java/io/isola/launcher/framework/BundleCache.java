package io.isola.launcher.framework;

import io.isola.launcher.RuntimeDir;

import io.isola.api.IsolaException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Temporary Felix bundle caches, one per process: a shared cache would be locked by whichever CLI
 * runs first. The owner's pid is in the name, so that a cache left by a killed JVM is removed by
 * the next start.
 */
final class BundleCache {

    private static final Logger LOG = LoggerFactory.getLogger(BundleCache.class);
    private static final String PREFIX = "isola-felix-";
    private static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-\\d+");

    private BundleCache() {}

    /** A new, empty cache directory, after removing those of processes that no longer exist. */
    static Path create() {
        return create(RuntimeDir.forCurrentUser());
    }

    static Path create(Path tmp) {
        removeStale(tmp);
        try {
            return Files.createTempDirectory(tmp, PREFIX + ProcessHandle.current().pid() + "-");
        } catch (IOException e) {
            throw new IsolaException("cannot create a bundle cache in " + tmp + ": " + e.getMessage(), e);
        }
    }

    static void delete(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("bundle cache {} not fully deleted: {}", root, e.getMessage());
        }
    }

    private static void removeStale(Path tmp) {
        try (DirectoryStream<Path> caches = Files.newDirectoryStream(tmp, PREFIX + "*")) {
            for (Path cache : caches) {
                Matcher name = NAME.matcher(cache.getFileName().toString());
                // a reused pid only postpones the removal to a later start
                if (name.matches() && ProcessHandle.of(Long.parseLong(name.group(1))).isEmpty()) {
                    LOG.debug("removing the bundle cache {} of a process that ended", cache);
                    delete(cache);
                }
            }
        } catch (IOException | NumberFormatException e) {
            LOG.debug("stale bundle caches in {} not removed: {}", tmp, e.getMessage());
        }
    }
}
