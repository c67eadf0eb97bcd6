package io.isola.launcher.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * {@code isola cp}: a tar between two {@link CopyRoot}s, as docker cp moves one between its
 * client and the daemon; the same archive goes to stdout or comes from stdin with "-".
 */
public final class ContainerCopy {

    private static final int PIPE_BYTES = 1 << 16;

    private ContainerCopy() {}

    /** Copies {@code fromPath} of {@code from} to {@code toPath} of {@code to}. */
    public static void copy(CopyRoot from, String fromPath, CopyRoot to, String toPath, boolean archive)
            throws IOException {
        try (CopySource source = CopySource.resolve(from, fromPath);
                PipedInputStream in = new PipedInputStream(PIPE_BYTES)) {
            PipedOutputStream out = new PipedOutputStream(in);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try (out) {
                    source.write(out);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            try {
                CopyDestination.write(to, toPath, in, source.topName(), source.isDirectory(), archive);
                in.transferTo(OutputStream.nullOutputStream()); // the tar's end blocks, if any, so the writer finishes
            } catch (IOException | RuntimeException e) {
                in.close(); // ends the writer with "pipe closed": the extraction's error is the one to report
                writer.exceptionally(ignored -> null).join();
                throw e;
            }
            awaitWriter(writer);
        }
    }

    /** Writes {@code path} of {@code from} to {@code out} as a tar. */
    public static void toStream(CopyRoot from, String path, OutputStream out) throws IOException {
        try (CopySource source = CopySource.resolve(from, path)) {
            source.write(out);
        }
    }

    /** Extracts the tar {@code in} into the directory {@code path} of {@code to}. */
    public static void fromStream(InputStream in, CopyRoot to, String path, boolean archive) throws IOException {
        CopyDestination.write(to, path, in, null, true, archive);
    }

    private static void awaitWriter(CompletableFuture<Void> writer) throws IOException {
        try {
            writer.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while copying", e);
        }
    }
}
