package io.isola.launcher.framework;

import io.isola.api.IsolaException;
import io.isola.launcher.RuntimeDir;
import io.isola.spi.support.ContainerTrees;
import io.isola.spi.support.HostIdentity;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
            return Files.createTempDirectory(
                    tmp, PREFIX + ProcessHandle.current().pid() + "-");
        } catch (IOException e) {
            throw new IsolaException("cannot create a bundle cache in " + tmp + ": " + e.getMessage(), e);
        }
    }

    static void delete(Path root) {
        try {
            ContainerTrees.remove(root); // through descriptors: no link in it is followed
        } catch (IOException | RuntimeException e) {
            LOG.warn("bundle cache {} not fully deleted: {}", root, e.getMessage());
        }
    }

    private static boolean ours(Path cache) throws IOException {
        return Files.isDirectory(cache, LinkOption.NOFOLLOW_LINKS)
                && ((Number) Files.getAttribute(cache, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue()
                        == HostIdentity.current().uid();
    }

    private static void removeStale(Path tmp) {
        try (DirectoryStream<Path> caches = Files.newDirectoryStream(tmp, PREFIX + "*")) {
            for (Path cache : caches) {
                Matcher name = NAME.matcher(cache.getFileName().toString());
                // a reused pid only postpones the removal to a later start
                // root's caches are in the shared temporary directory: only a real directory of
                // this user's goes (another user's could be a trap of links swapped in mid-removal)
                if (name.matches()
                        && ProcessHandle.of(Long.parseLong(name.group(1))).isEmpty()
                        && ours(cache)) {
                    LOG.debug("removing the bundle cache {} of a process that ended", cache);
                    delete(cache);
                }
            }
        } catch (IOException | NumberFormatException e) {
            LOG.debug("stale bundle caches in {} not removed: {}", tmp, e.getMessage());
        }
    }
}
