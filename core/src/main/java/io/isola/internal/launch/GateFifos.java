package io.isola.internal.launch;

import io.isola.api.IsolaException;
import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.Syscalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The status and gate channels of a container created now and started later, by another process:
 * two FIFOs in the container's state directory, plus the gate's payload (the exec paths), which
 * {@code create} computes and {@code start} writes. The protocol is in
 * {@link io.isola.internal.chain.StepRecordReader}.
 */
final class GateFifos {

    static final String STATUS = "status.fifo", GATE = "exec.fifo", PAYLOAD = "exec.paths";

    private final Path dir;
    private final Syscalls host;

    GateFifos(Path dir, Syscalls host) {
        this.dir = dir;
        this.host = host;
    }

    /** Makes both FIFOs (mode 0600); the directory must exist. */
    GateFifos create() {
        for (String name : new String[] {STATUS, GATE}) {
            host.mkfifo(dir.resolve(name).toString(), 0600);
        }
        return this;
    }

    /**
     * {@code [read end, write end]} of the status FIFO. The read end is opened first and without
     * blocking (no writer yet), then the write end, which the child inherits.
     */
    int[] openStatusForCreate() {
        int read = openStatusForReading();
        try {
            return new int[] {read, host.open(dir.resolve(STATUS).toString(), Fds.O_WRONLY, 0)};
        } catch (RuntimeException e) {
            host.closeQuietly(read);
            throw e;
        }
    }

    /**
     * {@code [child's end, host's end]}: the child reads the gate through a read-write descriptor,
     * so it blocks until {@code start} writes instead of reading EOF while nobody has the FIFO
     * open. {@code create} answers checkpoints through the host's end and closes it at the gate.
     */
    int[] openGateForChild() {
        int child = host.open(dir.resolve(GATE).toString(), Fds.O_RDWR, 0);
        try {
            return new int[] {child, host.open(dir.resolve(GATE).toString(), Fds.O_WRONLY, 0)};
        } catch (RuntimeException e) {
            host.closeQuietly(child);
            throw e;
        }
    }

    /** The status FIFO's read end, opened without blocking: no writer may be there yet. */
    int openStatusForReading() {
        return host.open(dir.resolve(STATUS).toString(), Fds.O_RDONLY | Fds.O_NONBLOCK, 0);
    }

    /**
     * The gate's write end for {@code start}, without blocking: ENXIO (no reader) or ENOENT means
     * the child no longer waits there (see {@link NativeException#errno()}).
     */
    int openGateForStart() {
        return host.open(dir.resolve(GATE).toString(), Fds.O_WRONLY | Fds.O_NONBLOCK, 0);
    }

    void savePayload(byte[] payload) {
        try {
            Path file = dir.resolve(PAYLOAD);
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(file, payload);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the exec paths in " + dir, e);
        }
    }

    byte[] payload() {
        try {
            return Files.readAllBytes(dir.resolve(PAYLOAD));
        } catch (IOException e) {
            throw new IsolaException("the container in " + dir + " has no saved exec paths; was it created?", e);
        }
    }

    Path dir() {
        return dir;
    }
}
