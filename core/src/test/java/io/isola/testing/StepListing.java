package io.isola.testing;

import io.isola.internal.chain.ChildProgram;
import io.isola.internal.chain.ChildProgram.Call;
import io.isola.internal.chain.ChildProgram.Checkpoint;
import io.isola.internal.chain.ChildProgram.Exec;
import io.isola.internal.chain.ChildProgram.Gate;
import io.isola.internal.chain.ChildProgram.Op;
import io.isola.internal.chain.ChildProgram.Section;
import io.isola.internal.chain.ChildProgram.Spawn;
import io.isola.spi.Arg;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A child program as text, one op a line under its section, for golden files: a change to the
 * order of steps is then a readable diff. Bytes longer than {@link #SHOWN_BYTES}, and what a
 * struct points to (a seccomp filter, whose contents are libseccomp's), show only their length
 * or that they are there.
 */
public final class StepListing {

    private static final int SHOWN_BYTES = 64;

    private StepListing() {}

    public static String of(ChildProgram program) {
        StringBuilder out = new StringBuilder();
        List<Section> sections = new ArrayList<>(program.sections());
        List<Op> ops = program.ops();
        for (int i = 0; i < ops.size(); i++) {
            while (!sections.isEmpty() && sections.get(0).firstOp() == i) {
                out.append("## ").append(sections.remove(0).name()).append('\n');
            }
            out.append(line(ops.get(i))).append('\n');
        }
        return out.toString();
    }

    private static String line(Op op) {
        if (op instanceof Call call) {
            String tolerated = call.step().toleratedErrnos().isEmpty()
                    ? ""
                    : " tolerating "
                            + call.step().toleratedErrnos().stream().sorted().collect(Collectors.joining(","));
            return "[" + call.owner() + "] " + call.step().description() + ": "
                    + call.step().call().symbol() + "("
                    + call.step().args().stream().map(StepListing::arg).collect(Collectors.joining(", ")) + ")"
                    + tolerated;
        } else if (op instanceof Checkpoint checkpoint) {
            return "[" + checkpoint.owner() + "] " + checkpoint.description() + ": checkpoint";
        } else if (op instanceof Spawn spawn) {
            return "[" + spawn.owner() + "] " + spawn.description() + ": spawn";
        } else if (op instanceof Gate) {
            return "gate";
        } else if (op instanceof Exec exec) {
            return "exec " + exec.candidates() + " argv " + exec.argv() + " envp " + exec.envp();
        }
        throw new IllegalArgumentException("unknown op " + op);
    }

    static String arg(Arg arg) {
        if (arg instanceof Arg.Word word) {
            return word.value() >= 0 && word.value() < 0x10000
                    ? Long.toString(word.value())
                    : "0x" + Long.toHexString(word.value());
        } else if (arg instanceof Arg.Text text) {
            return '"' + text.value() + '"';
        } else if (arg instanceof Arg.Bytes bytes) {
            return bytes(bytes.value());
        } else if (arg instanceof Arg.Linked linked) {
            // the struct holds the target's length, and a seccomp filter's length is the host libseccomp's
            return "struct[" + linked.bytes().length + "]@" + linked.offset() + "->bytes";
        } else if (arg instanceof Arg.TextArray array) {
            return array.values().stream().map(v -> '"' + v + '"').collect(Collectors.joining(", ", "[", "]"));
        }
        throw new IllegalArgumentException("unknown argument " + arg);
    }

    private static String bytes(byte[] value) {
        return value.length > SHOWN_BYTES
                ? "bytes[" + value.length + "]"
                : "x'" + HexFormat.of().formatHex(value) + "'";
    }
}
