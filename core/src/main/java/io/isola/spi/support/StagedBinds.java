package io.isola.spi.support;

import io.isola.internal.nativ.Native;
import io.isola.internal.nativ.NativeException;
import io.isola.spi.ClonedChild;
import io.isola.spi.Namespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Host paths bound, in a cloned child's mount namespace only, below a directory the child can reach,
 * so that it binds them from there into its root. In a user namespace the child's root is an
 * unprivileged host uid, which cannot search what only host root may (isola's state, 0700, holds
 * the network's /etc files; a volume may sit below /root); and the kernel binds only mounts of the
 * caller's own mount namespace, so the host cannot hand it fds opened before the clone. So, while the
 * child waits at its first checkpoint, a {@link NamespaceThread} joins the child's mount namespace,
 * mounts a small tmpfs on {@code staging} and binds source {@code i} (recursively) on {@code
 * staging/i}, as runc's parent opens mount sources inside the container's mount namespace. The
 * binds are copies of the child's own (locked) mounts, and they go with the host's root when the
 * child detaches it after pivot_root; the host's mount table never sees them. Needs host root.
 */
public final class StagedBinds {

    private static final Logger LOG = LoggerFactory.getLogger(StagedBinds.class);
    private static final long MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_BIND = 4096, MS_REC = 16384;

    private StagedBinds() {}

    /** The path by which the child reaches source {@code index} once {@link #mount} has run. */
    public static Path staged(Path staging, int index) {
        return staging.resolve(Integer.toString(index));
    }

    /**
     * Binds each of {@code sources} on {@code staging/i} in {@code child}'s mount namespace;
     * {@code staging} is an empty directory of the host that every directory above lets the child pass.
     *
     * @throws IOException naming the source and the errno when a bind fails
     */
    public static void mount(ClonedChild child, Path staging, List<Path> sources) throws IOException {
        if (sources.isEmpty()) {
            return;
        }
        Native n = Native.get();
        NamespaceThread.run(child.namespacePath(Namespace.MOUNT), Namespace.MOUNT, () -> {
            check(
                    n,
                    "mount a tmpfs on " + staging,
                    n.libc()
                            .mount(
                                    "tmpfs",
                                    staging.toString(),
                                    "tmpfs",
                                    MS_NOSUID | MS_NODEV | MS_NOEXEC,
                                    "mode=0755,size=16k"));
            for (int i = 0; i < sources.size(); i++) {
                Path source = sources.get(i), target = staged(staging, i);
                if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectory(target);
                } else {
                    Files.createFile(target);
                }
                check(
                        n,
                        "bind " + source + " on " + target,
                        n.libc().mount(source.toString(), target.toString(), null, MS_BIND | MS_REC, null));
            }
        });
        LOG.debug("staged {} binds on {} for pid {}", sources.size(), staging, child.pid());
    }

    private static void check(Native n, String call, int rc) throws IOException {
        if (rc < 0) {
            throw new IOException(
                    new NativeException(call + " in the container's mount namespace", n.lastErrno()).getMessage());
        }
    }
}
