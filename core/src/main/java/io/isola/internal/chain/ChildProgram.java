package io.isola.internal.chain;

import io.isola.spi.Step;
import java.util.ArrayList;
import java.util.List;

/**
 * The straight-line program the cloned child runs: libc calls, checkpoints, the gate and the
 * execve attempts, in order. It is plain data; {@link ChainCompiler} turns it into native
 * contexts, and {@link #records()} tells the host which step record to expect when.
 */
public final class ChildProgram {

    /** One instruction of the child. */
    public sealed interface Op {}

    /** A libc call whose errno is reported; {@code owner} is the isolator that added it. */
    public record Call(String owner, Step step) implements Op {}

    /**
     * Wait for the host to approve every record so far, and to finish {@code hostSide} (null:
     * nothing) that an isolation's afterClone left running.
     */
    public record Checkpoint(String owner, String description, java.util.concurrent.Future<?> hostSide) implements Op {
        public Checkpoint(String owner, String description) {
            this(owner, description, null);
        }
    }

    /**
     * Clone a sibling that runs the rest of the program, then exit. The sibling is created after
     * every earlier step, so it lives in the PID (and time) namespaces those steps joined with
     * setns or created with unshare, which only affect children; it is the host's child ({@code
     * CLONE_PARENT}), so the host reaps it and gets its exit status. See {@link StepRecordReader}
     * for the protocol; a fork-style child's spawn is followed by a checkpoint.
     */
    public record Spawn(String owner, String description) implements Op {}

    /** Wait for the host to supply the exec paths; nothing runs past here without them. */
    public record Gate() implements Op {}

    /** Try each candidate path in turn; the first that execs replaces the child. */
    public record Exec(List<String> candidates, List<String> argv, List<String> envp) implements Op {
        public Exec {
            candidates = List.copyOf(candidates);
            argv = List.copyOf(argv);
            envp = List.copyOf(envp);
        }
    }

    /**
     * Where a part of the program starts, for people reading it (a log, a golden file): the
     * composer's sections and the isolators' phases. The child never sees it.
     *
     * @param firstOp the index in {@link #ops()} of the section's first op
     */
    public record Section(int firstOp, String name) {}

    private final List<Op> ops;
    private final List<Section> sections;

    private ChildProgram(List<Op> ops, List<Section> sections) {
        this.ops = List.copyOf(ops);
        this.sections = List.copyOf(sections);
    }

    public List<Op> ops() {
        return ops;
    }

    /** The sections in order; ops before the first belong to none. */
    public List<Section> sections() {
        return sections;
    }

    /** The records the child writes, one per reported op, in order. */
    public List<ExpectedRecord> records() {
        List<ExpectedRecord> records = new ArrayList<>();
        for (Op op : ops) {
            if (op instanceof Call call) {
                records.add(ExpectedRecord.step(call.owner(), call.step()));
            } else if (op instanceof Checkpoint checkpoint) {
                records.add(
                        ExpectedRecord.checkpoint(checkpoint.owner(), checkpoint.description(), checkpoint.hostSide()));
            } else if (op instanceof Spawn spawn) {
                records.add(ExpectedRecord.spawn(spawn.owner(), spawn.description()));
            } else if (op instanceof Gate) {
                records.add(ExpectedRecord.gate());
            } else if (op instanceof Exec exec) {
                for (String candidate : exec.candidates()) {
                    records.add(ExpectedRecord.exec(candidate));
                }
            }
        }
        return records;
    }

    /** How many records {@link #records()} lists, without listing them. */
    public int recordCount() {
        int count = 0;
        for (Op op : ops) {
            count += op instanceof Exec exec ? exec.candidates().size() : 1;
        }
        return count;
    }

    /** The exec op; every program has exactly one, last. */
    public Exec exec() {
        return (Exec) ops.get(ops.size() - 1);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private final List<Op> ops = new ArrayList<>();
        private final List<Section> sections = new ArrayList<>();

        /** The ops from here on form the section {@code name}. */
        public Builder section(String name) {
            sections.add(new Section(ops.size(), name));
            return this;
        }

        public Builder call(String owner, Step step) {
            ops.add(new Call(owner, step));
            return this;
        }

        /** Appends a contributed op: a call or a checkpoint (an isolator's), or the runtime's spawn. */
        public Builder op(Op op) {
            if (op instanceof Spawn spawn) {
                return spawn(spawn.owner(), spawn.description());
            }
            if (!(op instanceof Call || op instanceof Checkpoint)) {
                throw new IllegalArgumentException("only calls, checkpoints and a spawn can be added: " + op);
            }
            ops.add(op);
            return this;
        }

        public Builder checkpoint(String owner, String description) {
            ops.add(new Checkpoint(owner, description));
            return this;
        }

        /** Continues the program in a new sibling process; see {@link Spawn}. At most one. */
        public Builder spawn(String owner, String description) {
            if (count(Spawn.class) > 0) {
                throw new IllegalStateException("a child program spawns at most once");
            }
            ops.add(new Spawn(owner, description));
            return this;
        }

        public Builder gate() {
            ops.add(new Gate());
            return this;
        }

        private int count(Class<? extends Op> kind) {
            int count = 0;
            for (Op op : ops) {
                if (kind.isInstance(op)) {
                    count++;
                }
            }
            return count;
        }

        public ChildProgram exec(List<String> candidates, List<String> argv, List<String> envp) {
            if (count(Gate.class) != 1) {
                throw new IllegalStateException("a child program needs exactly one gate before its exec");
            }
            ops.add(new Exec(candidates, argv, envp));
            return new ChildProgram(ops, sections);
        }
    }
}
