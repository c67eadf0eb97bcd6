package io.isola.launcher.cli.run;

import io.isola.internal.nativ.DirectoryFd;
import io.isola.internal.nativ.InRootFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads files of a container's root that is one directory, held open: a running container's root
 * ({@code /proc/PID/root}) or a {@code --rootfs}. The kernel resolves each path inside that root
 * in the call that opens the file ({@link InRootFile}), so a container that swaps a directory for
 * a link to the host while it is read leads the read nowhere outside (the lookup then open of
 * {@link RootFileReader}, which an image's static layers need, left it a window to). A file
 * larger than {@link RootFileReader#MAX_BYTES}, a fifo or a device is refused, never waited on.
 */
final class ContainerRootReader implements RootFiles, AutoCloseable {

    private final DirectoryFd root;

    ContainerRootReader(DirectoryFd root) {
        this.root = root;
    }

    @Override
    public Optional<String> read(String path) throws IOException {
        return InRootFile.read(root, path, RootFileReader.MAX_BYTES)
                .map(bytes -> new String(bytes, StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        root.close();
    }
}
