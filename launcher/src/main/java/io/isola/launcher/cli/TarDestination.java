package io.isola.launcher.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Where {@code export} and {@code save} write their tar archive: stdout, which must not be a
 * terminal (docker refuses those too: a tar is no text), or a file written beside the target and
 * renamed, so that a failed write leaves no half archive.
 */
final class TarDestination {

    /** Writes the archive to the stream it is given. */
    interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private TarDestination() {}

    /** Writes with {@code writer} to {@code output}, or to stdout when it is null. */
    static void write(Path output, Writer writer) throws IOException {
        if (output == null) {
            if (CallerStdio.isTerminal(1)) {
                throw new IllegalArgumentException(
                        "refusing to write a tar archive to a terminal: use -o FILE or redirect stdout");
            }
            try (OutputStream stdout = CallerStdio.out(1)) {
                writer.write(stdout);
            }
            return;
        }
        Path target = output.toAbsolutePath();
        Path partial = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".partial");
        try {
            try (OutputStream file = Files.newOutputStream(partial)) {
                writer.write(file);
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(partial);
        }
    }
}
