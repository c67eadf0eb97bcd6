package io.isola.spi.support;

import io.isola.internal.nativ.HostProc;
import io.isola.spi.ClonedChild;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Writes a file of a cloned child's own procfs directory ({@code uid_map}, {@code gid_map}, {@code
 * setgroups}) through the host's procfs handle, never through the plain {@code /proc}: a mount on
 * {@code /proc/PID/...} in the runtime's mount namespace (a container given a shared bind of the
 * host's /proc can make one) would otherwise take the write (runc's CVE-2025-52881). The handle is
 * a procfs mounted nowhere (or, where that is refused, a clone of the /proc mount alone), checked
 * to be a procfs; the file is opened relative to it
 * without following a link. The child's pid is the one the core holds a pidfd of until the child
 * is reaped, so it names the container's process and no later one.
 *
 * @since 1.2
 */
public final class ChildProcFiles {

    /** A file name of /proc/PID: no separator, no dot-dot. */
    private static final Pattern NAME = Pattern.compile("[a-z_]+");

    private ChildProcFiles() {}

    /**
     * Writes {@code text} (US-ASCII) in a single write(2), as the kernel takes a map, to file
     * {@code name} of {@code child}'s procfs directory.
     *
     * @throws IOException naming the text, the file and the errno when it cannot be opened or
     *     written whole
     */
    public static void write(ClonedChild child, String name, String text) throws IOException {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "procfs file \"" + name + "\": expected a file name of /proc/PID (letters and '_')");
        }
        try {
            HostProc.write(child.pid() + "/" + name, text.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new IOException("cannot write \"" + text.trim().replace('\n', ',') + "\" to " + e.getMessage(), e);
        }
    }
}
