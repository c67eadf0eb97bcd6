package io.isola.internal.chain;

import io.isola.internal.chain.ChildProgram.Call;
import io.isola.internal.chain.ChildProgram.Checkpoint;
import io.isola.internal.chain.ChildProgram.Exec;
import io.isola.internal.chain.ChildProgram.Gate;
import io.isola.internal.chain.ChildProgram.Op;
import io.isola.internal.chain.ChildProgram.Section;
import io.isola.internal.chain.ChildProgram.Spawn;
import io.isola.spi.Arg;
import io.isola.spi.LibcCall;
import io.isola.spi.Step;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A {@link ChildProgram} as bytes, for the thin OCI {@code create} (issue 17): the resident server
 * plans and composes the program, a small process in the engine's tree decodes it, compiles the
 * chain and clones. The program is data already; this only writes it down.
 *
 * <p>What does not travel: a checkpoint's host-side future (the server, which answers the
 * checkpoints, keeps it; the decoded checkpoint only says that there was one) and the fds the
 * steps name by number, which are the planning process's and must be passed beside the program.
 *
 * <p>Decoding is strict: a wrong magic or version, an unknown tag, a count or length beyond what
 * is left, or bytes left over are refused with what was found, never guessed at.
 */
public final class ProgramWire {

    /** "ISPG", then the version of this layout. */
    private static final int MAGIC = 0x49535047;

    private static final int VERSION = 1;

    private static final byte CALL = 1, CHECKPOINT = 2, SPAWN = 3, GATE = 4, EXEC = 5;
    private static final byte WORD = 1, TEXT = 2, BYTES = 3, LINKED = 4, TEXT_ARRAY = 5;

    private ProgramWire() {}

    public static byte[] encode(ChildProgram program) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 * 1024);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(program.sections().size());
            for (Section section : program.sections()) {
                out.writeInt(section.firstOp());
                text(out, section.name());
            }
            out.writeInt(program.ops().size());
            for (Op op : program.ops()) {
                op(out, op);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    private static void op(DataOutputStream out, Op op) throws IOException {
        if (op instanceof Call call) {
            out.writeByte(CALL);
            text(out, call.owner());
            Step step = call.step();
            text(out, step.description());
            text(out, step.call().symbol()); // by its libc name: the layout of version 1 holds
            out.writeByte(step.args().size());
            for (Arg arg : step.args()) {
                arg(out, arg);
            }
            texts(out, step.toleratedErrnos().stream().sorted().toList());
        } else if (op instanceof Checkpoint checkpoint) {
            out.writeByte(CHECKPOINT);
            text(out, checkpoint.owner());
            text(out, checkpoint.description()); // not its host-side work: the planner's, who answers it
        } else if (op instanceof Spawn spawn) {
            out.writeByte(SPAWN);
            text(out, spawn.owner());
            text(out, spawn.description());
        } else if (op instanceof Gate) {
            out.writeByte(GATE);
        } else if (op instanceof Exec exec) {
            out.writeByte(EXEC);
            texts(out, exec.candidates());
            texts(out, exec.argv());
            texts(out, exec.envp());
        } else {
            throw new IllegalArgumentException("op " + op + " has no wire form");
        }
    }

    private static void arg(DataOutputStream out, Arg arg) throws IOException {
        if (arg instanceof Arg.Word word) {
            out.writeByte(WORD);
            out.writeLong(word.value());
        } else if (arg instanceof Arg.Text text) {
            out.writeByte(TEXT);
            text(out, text.value());
        } else if (arg instanceof Arg.Bytes raw) {
            out.writeByte(BYTES);
            bytes(out, raw.value());
        } else if (arg instanceof Arg.Linked linked) {
            out.writeByte(LINKED);
            bytes(out, linked.bytes());
            out.writeInt(linked.offset());
            bytes(out, linked.target());
        } else if (arg instanceof Arg.TextArray array) {
            out.writeByte(TEXT_ARRAY);
            texts(out, array.values());
        } else {
            throw new IllegalArgumentException("argument " + arg + " has no wire form");
        }
    }

    private static void texts(DataOutputStream out, List<String> values) throws IOException {
        out.writeInt(values.size());
        for (String value : values) {
            text(out, value);
        }
    }

    /** Length-prefixed UTF-8: writeUTF stops at 64 KB, and an environment can be longer. */
    private static void text(DataOutputStream out, String value) throws IOException {
        bytes(out, value.getBytes(StandardCharsets.UTF_8));
    }

    private static void bytes(DataOutputStream out, byte[] value) throws IOException {
        out.writeInt(value.length);
        out.write(value);
    }

    /** The program {@link #encode} wrote; checkpoints that had host-side work carry none. */
    public static ChildProgram decode(byte[] wire) {
        Reader in = new Reader(ByteBuffer.wrap(wire));
        try {
            int magic = in.buffer.getInt();
            if (magic != MAGIC) {
                throw new IllegalArgumentException("not a child program: magic 0x" + Integer.toHexString(magic));
            }
            int version = in.buffer.getInt();
            if (version != VERSION) {
                throw new IllegalArgumentException("child program version " + version + ": expected " + VERSION);
            }
            int sectionCount = in.count(8);
            List<Section> sections = new ArrayList<>(sectionCount);
            for (int i = 0; i < sectionCount; i++) {
                sections.add(new Section(in.buffer.getInt(), in.text()));
            }
            int opCount = in.count(1);
            List<Op> ops = new ArrayList<>(opCount);
            for (int i = 0; i < opCount; i++) {
                ops.add(in.op());
            }
            if (in.buffer.hasRemaining()) {
                throw new IllegalArgumentException(
                        "child program: " + in.buffer.remaining() + " bytes after its last op");
            }
            return rebuild(sections, ops);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("child program cut short after " + in.buffer.position() + " bytes", e);
        }
    }

    /** Through the builder, so that a decoded program meets every rule a composed one does. */
    private static ChildProgram rebuild(List<Section> sections, List<Op> ops) {
        if (ops.isEmpty() || !(ops.get(ops.size() - 1) instanceof Exec exec)) {
            throw new IllegalArgumentException("child program: its last op is not the exec");
        }
        ChildProgram.Builder builder = ChildProgram.builder();
        int next = 0;
        for (int i = 0; i < ops.size() - 1; i++) {
            while (next < sections.size() && sections.get(next).firstOp() == i) {
                builder.section(sections.get(next++).name());
            }
            Op op = ops.get(i);
            if (op instanceof Spawn spawn) {
                builder.spawn(spawn.owner(), spawn.description());
            } else if (op instanceof Gate) {
                builder.gate();
            } else if (op instanceof Exec) {
                throw new IllegalArgumentException("child program: an exec at op " + i + ", before the last");
            } else {
                builder.op(op);
            }
        }
        while (next < sections.size() && sections.get(next).firstOp() == ops.size() - 1) {
            builder.section(sections.get(next++).name());
        }
        if (next != sections.size()) {
            Section stray = sections.get(next);
            throw new IllegalArgumentException("child program: section \"" + stray.name() + "\" starts at op "
                    + stray.firstOp() + ", out of order or past the " + ops.size() + " ops");
        }
        return builder.exec(exec.candidates(), exec.argv(), exec.envp());
    }

    private static final class Reader {
        private final ByteBuffer buffer;

        Reader(ByteBuffer buffer) {
            this.buffer = buffer;
        }

        Op op() {
            byte tag = buffer.get();
            return switch (tag) {
                case CALL -> call();
                case CHECKPOINT -> new Checkpoint(text(), text());
                case SPAWN -> new Spawn(text(), text());
                case GATE -> new Gate();
                case EXEC -> new Exec(texts(), texts(), texts());
                default ->
                    throw new IllegalArgumentException(
                            "child program: unknown op tag " + tag + " at byte " + (buffer.position() - 1));
            };
        }

        private Call call() {
            String owner = text();
            String description = text();
            String symbol = text();
            LibcCall libcCall;
            try {
                libcCall = LibcCall.ofSymbol(symbol);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "child program: step '" + description + "' calls " + e.getMessage(), e);
            }
            int argCount = buffer.get();
            if (argCount < 0 || argCount > Step.MAX_ARGS) {
                throw new IllegalArgumentException("child program: step '" + description + "' has " + argCount
                        + " arguments, at most " + Step.MAX_ARGS + " are allowed");
            }
            List<Arg> args = new ArrayList<>(argCount);
            for (int i = 0; i < argCount; i++) {
                args.add(arg());
            }
            Set<String> tolerated = new HashSet<>(texts());
            return new Call(owner, new Step(description, libcCall, args, tolerated));
        }

        private Arg arg() {
            byte tag = buffer.get();
            return switch (tag) {
                case WORD -> new Arg.Word(buffer.getLong());
                case TEXT -> new Arg.Text(text());
                case BYTES -> new Arg.Bytes(bytes());
                case LINKED -> new Arg.Linked(bytes(), buffer.getInt(), bytes());
                case TEXT_ARRAY -> new Arg.TextArray(texts());
                default ->
                    throw new IllegalArgumentException(
                            "child program: unknown argument tag " + tag + " at byte " + (buffer.position() - 1));
            };
        }

        /** A count of items of at least {@code minSize} bytes each, checked against what is left. */
        int count(int minSize) {
            int count = buffer.getInt();
            if (count < 0 || (long) count * minSize > buffer.remaining()) {
                throw new IllegalArgumentException("child program: a count of " + count + " at byte "
                        + (buffer.position() - 4) + ", with " + buffer.remaining() + " bytes left");
            }
            return count;
        }

        List<String> texts() {
            int count = count(4);
            List<String> values = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                values.add(text());
            }
            return values;
        }

        /** Strict UTF-8: a damaged string is refused, not turned into replacement characters. */
        String text() {
            int at = buffer.position();
            try {
                return StandardCharsets.UTF_8
                        .newDecoder()
                        .decode(ByteBuffer.wrap(bytes()))
                        .toString();
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException("child program: the string at byte " + at + " is not UTF-8", e);
            }
        }

        byte[] bytes() {
            byte[] value = new byte[count(1)];
            buffer.get(value);
            return value;
        }
    }
}
