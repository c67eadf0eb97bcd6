package io.isola.launcher.cli;

import io.isola.internal.nativ.FdInputStream;
import io.isola.internal.nativ.FdOutputStream;
import io.isola.internal.nativ.Fds;
import io.isola.launcher.server.Invocation;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The caller's standard streams, for the verbs that read or write them as bytes (save, load):
 * served, the client's (the resident server's own fds 0-2 are its log and /dev/null), else this
 * JVM's. A stream got here is closed by its user; that closes the server's duplicate, never the
 * client's file nor this JVM's own stdio.
 */
final class CallerStdio {

    private CallerStdio() {}

    /** Whether the caller's stdin and stdout are a terminal: served, the client's word. */
    static boolean terminal() {
        Invocation invocation = Invocation.current();
        return invocation != null ? invocation.tty() : System.console() != null;
    }

    /** Whether the caller's stream 0, 1 or 2 is a terminal. */
    static boolean isTerminal(int stream) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd(stream)))
                    .toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    static InputStream in() {
        Invocation invocation = Invocation.current();
        if (invocation != null) {
            return new FdInputStream(Fds.dupCloexec(invocation.stdio(0)));
        }
        return new FilterInputStream(new FileInputStream(FileDescriptor.in)) {
            @Override
            public void close() {} // this JVM's own stdin stays open
        };
    }

    /** Stream 1 or 2. */
    static OutputStream out(int stream) {
        Invocation invocation = Invocation.current();
        if (invocation != null) {
            return new FdOutputStream(Fds.dupCloexec(invocation.stdio(stream)));
        }
        return new FilterOutputStream(new FileOutputStream(stream == 1 ? FileDescriptor.out : FileDescriptor.err)) {
            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                out.write(bytes, offset, length); // FilterOutputStream's writes a byte at a time
            }

            @Override
            public void close() throws IOException {
                flush(); // this JVM's own stdout stays open
            }
        };
    }

    private static int fd(int stream) {
        Invocation invocation = Invocation.current();
        return invocation != null ? invocation.stdio(stream) : stream;
    }
}
