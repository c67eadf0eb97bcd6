package io.isola.launcher.cli;

import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Lifecycle;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code isola logs [-f] [--tail N] ID}: what a detached container wrote to stdout and stderr. */
@Command(name = "logs", description = "Print a detached container's output; -f follows it until the container ends.")
final class LogsCommand implements Callable<Integer> {

    @ParentCommand
    private IsolaCommand parent;

    @Option(
            names = {"-f", "--follow"},
            description = "Keep printing new output until the container ends.")
    private boolean follow;

    @Option(
            names = {"-n", "--tail"},
            paramLabel = "N",
            defaultValue = "all",
            description = "Print only the last N lines of what was written so far (default: all).")
    private String tail;

    @Parameters(index = "0", paramLabel = "ID")
    private String id;

    @picocli.CommandLine.Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        long lines = tailLines(tail);
        Lifecycle lifecycle = new Lifecycle(parent.global().store());
        ContainerState state = lifecycle.get(id);
        if (state.isola() == null || state.isola().logFile() == null) {
            throw new IllegalArgumentException(
                    "container " + state.id() + " has no log: only detached containers keep their output");
        }
        Path log = Path.of(state.isola().logFile());
        // through picocli's writer, so that Main.execute's caller gets it (text, like docker logs)
        PrintWriter writer = spec.commandLine().getOut();
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) {
                writer.write(b);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                writer.write(new String(bytes, offset, length, StandardCharsets.UTF_8));
            }

            @Override
            public void flush() {
                writer.flush();
            }
        };
        try (InputStream in = Files.newInputStream(log)) {
            in.skipNBytes(lines < 0 ? 0 : startOfLastLines(log, lines));
            byte[] buffer = new byte[8192];
            while (true) {
                int n = in.read(buffer);
                if (n > 0) {
                    out.write(buffer, 0, n);
                    continue;
                }
                out.flush();
                if (!follow || !Lifecycle.isLive(lifecycle.get(state.id()))) {
                    // one more read after the end: output written just before the exit
                    for (n = in.read(buffer); n > 0; n = in.read(buffer)) {
                        out.write(buffer, 0, n);
                    }
                    out.flush();
                    return 0;
                }
                Thread.sleep(100);
            }
        } catch (NoSuchFileException e) {
            return 0; // nothing written yet
        }
    }

    /** --tail's value: -1 for all, else a count of lines. */
    static long tailLines(String value) {
        if (value.equals("all")) {
            return -1;
        }
        try {
            long lines = Long.parseLong(value);
            if (lines >= 0) {
                return lines;
            }
        } catch (NumberFormatException e) {
            // named below
        }
        throw new IllegalArgumentException("--tail \"" + value + "\": expected a number of lines (0 or more) or all");
    }

    /**
     * Where the last {@code lines} lines of {@code file} start: read backwards, a block at a time,
     * so a long log is not read whole. A last line without its newline counts as a line.
     */
    static long startOfLastLines(Path file, long lines) throws IOException {
        try (FileChannel channel = FileChannel.open(file)) {
            long end = channel.size();
            if (lines == 0) {
                return end;
            }
            ByteBuffer block = ByteBuffer.allocate(8192);
            long seen = 0;
            long position = end;
            while (position > 0) {
                int length = (int) Math.min(block.capacity(), position);
                position -= length;
                block.clear().limit(length);
                while (block.hasRemaining() && channel.read(block, position + block.position()) >= 0) {
                    // a regular file gives what it has
                }
                for (int i = length - 1; i >= 0; i--) {
                    // the file's last newline ends the last line: it starts none
                    if (block.get(i) == '\n' && position + i != end - 1 && ++seen == lines) {
                        return position + i + 1;
                    }
                }
            }
            return 0;
        } catch (NoSuchFileException e) {
            return 0;
        }
    }
}
