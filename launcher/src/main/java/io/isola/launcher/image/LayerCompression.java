package io.isola.launcher.image;

import com.github.luben.zstd.ZstdIOException;
import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.util.Native;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * The compressions a layer or an image archive comes in, told apart by the first bytes: a media
 * type is what a registry or an archive claims (Docker's schema 2 has only ".tar.gzip" for
 * layers, so an uncompressed one pushed with it carries that name; a docker-archive names none),
 * the magic is what the bytes are. Anything without a known magic is read as a tar, whose own
 * checks then refuse what is not one.
 */
enum LayerCompression {
    GZIP,
    ZSTD,
    NONE;

    private static final int BUFFER = 65536;

    /**
     * {@code in} decompressed; {@code what} ("layer sha256:...") starts the decompressor's
     * errors. zstd's native library, the first time, is unpacked into {@code scratch} (the
     * store's, 0700).
     */
    static InputStream decompressed(InputStream in, String what, Path scratch) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, BUFFER);
        return switch (of(buffered)) {
            case GZIP -> named(new GzipCompressorInputStream(buffered, true), what + ": gzip");
            case ZSTD -> named(zstd(buffered, what, scratch), what + ": zstd");
            case NONE -> buffered;
        };
    }

    /** The compression that the next bytes of {@code in} start with; they are left unread. */
    static LayerCompression of(BufferedInputStream in) throws IOException {
        in.mark(4);
        byte[] magic = in.readNBytes(4);
        in.reset();
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            return GZIP;
        }
        // RFC 8878 3.1.1: a frame starts with 0xFD2FB528, little-endian
        if (magic.length == 4
                && (magic[0] & 0xff) == 0x28
                && (magic[1] & 0xff) == 0xb5
                && (magic[2] & 0xff) == 0x2f
                && (magic[3] & 0xff) == 0xfd) {
            return ZSTD;
        }
        return NONE;
    }

    private static InputStream zstd(InputStream in, String what, Path scratch) throws IOException {
        loadZstd(what, scratch);
        return new ZstdInputStream(in); // every frame of the stream, as zstd -d reads concatenated frames
    }

    /**
     * {@code in} with its decompressor's own errors named: a stream that ends early is
     * "truncated" (commons-compress throws an EOFException without a message), zstd's errors get
     * the format's name; errors of the stream below (the network, a size check) pass as they are.
     */
    private static InputStream named(InputStream in, String what) {
        return new BufferedInputStream(
                new FilterInputStream(in) {
                    @Override
                    public int read(byte[] buffer, int offset, int length) throws IOException {
                        try {
                            return super.read(buffer, offset, length);
                        } catch (EOFException e) {
                            throw new IOException(what + ": the compressed stream ends before its end (truncated)", e);
                        } catch (ZstdIOException e) {
                            throw new IOException(what + ": " + e.getMessage(), e);
                        }
                    }
                },
                BUFFER);
    }

    /**
     * zstd-jni unpacks its library into a temporary file, loads it and deletes it. Into the
     * store's private scratch rather than /tmp: a host may mount /tmp noexec, and no other user
     * can reach the file there. Loaded once per process; a failure names what could not load.
     */
    private static synchronized void loadZstd(String what, Path scratch) throws IOException {
        if (Native.isLoaded()) {
            return;
        }
        try {
            Native.load(scratch.toFile());
        } catch (LinkageError inScratch) {
            try {
                Native.load(); // java.io.tmpdir, zstd-jni's own choice
            } catch (LinkageError inTmp) {
                throw new IOException(
                        what + " is zstd-compressed, and zstd's native library could not be loaded from " + scratch
                                + " nor from java.io.tmpdir: " + inTmp.getMessage(),
                        inTmp);
            }
        }
    }
}
