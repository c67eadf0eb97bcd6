package io.isola.internal.chain;

import static io.isola.internal.nativ.Signals.SIGCHLD;

import io.isola.internal.nativ.CloneLibc;
import io.isola.spi.Arg;
import io.isola.spi.Step;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Compiles a {@link ChildProgram} into a chain of {@code ucontext_t}s in a {@link ChainArena}.
 *
 * <p>Each context calls one libc function; when it returns, glibc follows {@code uc_link} to the
 * next. glibc's setcontext sets the next context's signal mask with a system call (about 1 µs
 * here), so every context costs the child a syscall and the host a makecontext. After every
 * reported call, one more context copies the thread's errno into the record buffer. A second one
 * zeroes errno again only after a call that tolerates some errnos: errno is zeroed first, after
 * every flush and after every tolerant call, a successful call leaves it alone, so it is 0 before
 * each call until one fails in a way it does not tolerate, and the host stops at that call's
 * record whatever the later ones say. The buffer goes to the status pipe in one write just
 * before the child can block or end (a checkpoint or the gate, a spawn, every execve, the last
 * {@code _exit}), so the host reads one 4-byte record per reported op, in order, but is woken a
 * few times a launch instead of once per op: on a small host those wake-ups (about a hundred a
 * launch) cost more than the child's own work. Which records a write carries is fixed at compile
 * time: the chain is straight. Every context blocks all signals except the execve ones, whose
 * empty mask is what the command inherits.
 *
 * <p>Layout of the arena: the context slots, one stack area shared by all contexts (each gets a
 * top 256 bytes above the previous one, because makecontext writes the return trampoline's data
 * at the top, and a context only ever writes below its own top), the clone stack, then the data
 * the arguments point to.
 */
final class ChainCompiler implements AutoCloseable {

    private static final int STACK_BASE = 16 * 1024;
    private static final int STACK_STEP = 256;
    private static final int CLONE_STACK = 16 * 1024;
    private static final int EXIT_NOT_RUN = 127;
    /** A spawned sibling has the host as parent; the kernel writes its pid into the spawner's memory. */
    private static final long SPAWN_FLAGS = 0x8000 /* CLONE_PARENT */ | 0x100000 /* CLONE_PARENT_SETTID */ | SIGCHLD;
    /**
     * A chain in the host's memory spawns sharing it, and the spawner waits until the sibling
     * execs or dies: the host may reuse the chain's memory once the spawner has ended.
     */
    private static final long SHARED_SPAWN_FLAGS = SPAWN_FLAGS | 0x100 /* CLONE_VM */ | 0x4000 /* CLONE_VFORK */;

    private final CloneLibc libc;
    private final UcontextLayout layout;
    /**
     * One context taken with getcontext and copied into every slot: getcontext saves the signal
     * mask with a system call, and a chain has hundreds of slots. Its registers do not matter
     * (makecontext sets those a call needs), nor its mask (each slot gets its own); its floating-
     * point control words are the same on every JVM thread. Taken on first use, freed on close.
     */
    private long template;
    /** Offsets of the template's words that point into the template itself (x86_64's fpregs). */
    private long[] selfPointers;

    ChainCompiler(CloneLibc libc) {
        this.libc = libc;
        this.layout = UcontextLayout.get(libc);
    }

    /** Where the compiled chain starts, and the top of the stack clone() gives the child. */
    record Compiled(long firstContext, long cloneStackTop) {}

    /**
     * Compiles {@code program} for a child cloned in {@code mode}. A {@link ChildProgram.Spawn}
     * has the kernel write the sibling's pid (as the spawner sees it) at {@code spawnedPidAddress},
     * 4 bytes of the chain's memory, and reports it as the spawn's record ({@link
     * StepRecordReader}). In {@link CloneMode#FORK} mode the op after a spawn must be a
     * checkpoint: the spawner writes that record, and the sibling must write nothing before it.
     */
    Compiled compile(
            ChildProgram program,
            int statusFd,
            int gateFd,
            long errnoAddress,
            ChainArena arena,
            long spawnedPidAddress,
            CloneMode mode) {
        takeTemplate();
        requireSpawnable(program, mode);
        int contexts = countContexts(program, mode);
        long slots = align((long) contexts * layout.slotSize);
        long stacks = align(STACK_BASE + (long) STACK_STEP * contexts);
        long fixed = slots + stacks + 2L * CLONE_STACK + 2L * UcontextLayout.SIGSET_BYTES + 16;
        int recordCount = program.recordCount();
        long base = arena.reserve(fixed + align(4L * recordCount) + dataSize(program));

        long stackArea = base + slots;
        long cloneStackTop = stackArea + stacks + CLONE_STACK;
        long spawnStackTop = cloneStackTop + CLONE_STACK;
        long fullMask = spawnStackTop;
        long emptyMask = fullMask + UcontextLayout.SIGSET_BYTES;
        long scratch = emptyMask + UcontextLayout.SIGSET_BYTES;
        for (int i = 0; i < UcontextLayout.SIGSET_BYTES; i += 8) {
            libc.putLong(fullMask + i, -1L);
        }
        libc.zero(emptyMask, UcontextLayout.SIGSET_BYTES + 16);

        Emitter out = new Emitter(base, stackArea, contexts, fullMask);
        Data data = new Data(libc, scratch + 16);
        Records records = new Records(data.zeroed(4L * recordCount), statusFd, errnoAddress, out, fullMask);
        long gateBuffer = 0;

        out.call("memset", fullMask, errnoAddress, 0, 4); // the child inherits the JVM thread's stale errno
        for (ChildProgram.Op op : program.ops()) {
            if (op instanceof ChildProgram.Call call) {
                // a LibcCall: the step can name no function outside the set the chain allows
                out.call(call.step().call().symbol(), fullMask, data.words(call.step()));
                records.report(!call.step().toleratedErrnos().isEmpty());
            } else if (op instanceof ChildProgram.Spawn) {
                records.flush();
                if (mode == CloneMode.VFORK) {
                    // the sibling starts at the context after the spawner's _exit, which copies the
                    // pid that the kernel wrote before the sibling ran into its first record
                    out.call(
                            "clone",
                            fullMask,
                            libc.symbol("setcontext"),
                            spawnStackTop,
                            SHARED_SPAWN_FLAGS,
                            out.nextSlot(2),
                            spawnedPidAddress);
                    out.call("_exit", fullMask, 0);
                    records.report(spawnedPidAddress, true);
                } else {
                    // a copy of memory, not shared: the sibling cannot see the pid the kernel writes
                    // into the spawner's, and the two may not run on one stack area. The spawner
                    // sends the record (0 if the clone failed) and exits; the sibling waits at the
                    // next op, a checkpoint, until the host has read it
                    out.call("memset", fullMask, spawnedPidAddress, 0, 4);
                    out.call(
                            "clone",
                            fullMask,
                            libc.symbol("setcontext"),
                            spawnStackTop,
                            SPAWN_FLAGS,
                            out.nextSlot(5),
                            spawnedPidAddress);
                    records.report(spawnedPidAddress, false);
                    records.flush();
                    out.call("_exit", fullMask, 0);
                }
            } else if (op instanceof ChildProgram.Checkpoint) {
                records.flush();
                out.call("read", fullMask, gateFd, scratch, 1);
                records.report();
            } else if (op instanceof ChildProgram.Gate) {
                ChildProgram.Exec exec = program.exec();
                int length = GatePayload.of(exec).length;
                gateBuffer = data.zeroed(length);
                records.flush();
                out.call("read", fullMask, gateFd, gateBuffer, length);
                records.report();
            } else if (op instanceof ChildProgram.Exec exec) {
                long argv = data.textArray(exec.argv());
                long envp = data.textArray(exec.envp());
                long path = gateBuffer;
                for (String candidate : exec.candidates()) {
                    records.flush(); // a successful execve closes the pipe: every record must be out
                    out.call("execve", emptyMask, path, argv, envp);
                    records.report();
                    path += candidate.getBytes(StandardCharsets.UTF_8).length + 1;
                }
            }
        }
        records.flush();
        out.call("_exit", fullMask, EXIT_NOT_RUN);
        return new Compiled(base, cloneStackTop);
    }

    private void takeTemplate() {
        if (template != 0) {
            return;
        }
        template = libc.allocate(layout.slotSize);
        long base = template;
        libc.getcontext(base);
        List<Long> offsets = new java.util.ArrayList<>();
        for (long offset = 0; offset + 8 <= layout.slotSize; offset += 8) {
            long word = libc.getLong(base + offset);
            if (word >= base && word < base + layout.slotSize) {
                offsets.add(offset); // a saved register that held the address is moved too: harmless
            }
        }
        selfPointers = offsets.stream().mapToLong(Long::longValue).toArray();
    }

    /** A copy of the template in {@code ctx}, its pointers into itself moved along. */
    private void copyTemplate(long ctx) {
        long base = template;
        libc.copy(base, ctx, layout.slotSize);
        for (long offset : selfPointers) {
            libc.putLong(ctx + offset, libc.getLong(base + offset) - base + ctx);
        }
    }

    @Override
    public void close() {
        if (template != 0) {
            libc.free(template, layout.slotSize);
            template = 0;
        }
    }

    /** See {@link #compile}: a fork-style spawner and its sibling must not both write records unordered. */
    private static void requireSpawnable(ChildProgram program, CloneMode mode) {
        List<ChildProgram.Op> ops = program.ops();
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i) instanceof ChildProgram.Spawn spawn
                    && mode == CloneMode.FORK
                    && !(ops.get(i + 1) instanceof ChildProgram.Checkpoint)) {
                throw new IllegalArgumentException("spawn '" + spawn.description()
                        + "' of a fork-style child: expected a checkpoint right after it, found " + ops.get(i + 1));
            }
        }
    }

    private static int countContexts(ChildProgram program, CloneMode mode) {
        int count = 4; // zeroing errno first; the last flush and _exit
        for (ChildProgram.Op op : program.ops()) {
            count += op instanceof ChildProgram.Exec exec
                    ? 5 * exec.candidates().size()
                    : op instanceof ChildProgram.Spawn
                            ? (mode == CloneMode.VFORK ? 6 : 8)
                            : op instanceof ChildProgram.Call call
                                    ? (call.step().toleratedErrnos().isEmpty() ? 2 : 3)
                                    : 5;
        }
        return count;
    }

    private static long dataSize(ChildProgram program) {
        long size = 0;
        for (ChildProgram.Op op : program.ops()) {
            if (op instanceof ChildProgram.Call call) {
                for (Arg arg : call.step().args()) {
                    size += Data.size(arg);
                }
            } else if (op instanceof ChildProgram.Exec exec) {
                size += Data.size(new Arg.TextArray(exec.argv())) + Data.size(new Arg.TextArray(exec.envp()));
                size += align(GatePayload.of(exec).length);
            }
        }
        return size;
    }

    static long align(long size) {
        return (size + 15) & ~15L;
    }

    /**
     * The contexts that keep the step records: {@link #report} after each reported op, {@link
     * #flush} where the child may block or end.
     */
    private static final class Records {
        private final long buffer;
        private final int statusFd;
        private final long errnoAddress;
        private final Emitter out;
        private final long mask;
        private int reported;
        private int written;

        Records(long buffer, int statusFd, long errnoAddress, Emitter out, long mask) {
            this.buffer = buffer;
            this.statusFd = statusFd;
            this.errnoAddress = errnoAddress;
            this.out = out;
            this.mask = mask;
        }

        /** Two contexts: the op's errno into the next record, then errno zeroed for the next op. */
        void report() {
            report(true);
        }

        /** The op's errno into the next record, then, when {@code zero}, errno zeroed for the next op. */
        void report(boolean zero) {
            report(errnoAddress, zero);
        }

        /** The 4 bytes at {@code value} into the next record, then, when {@code zero}, errno zeroed. */
        void report(long value, boolean zero) {
            out.call("memcpy", mask, buffer + 4L * reported, value, 4);
            if (zero) {
                out.call("memset", mask, errnoAddress, 0, 4);
            }
            reported++;
        }

        /**
         * Two contexts: the records since the last flush in one write, then errno zeroed: a write
         * that failed (the host is gone, and the parent-death signal is on its way) must not count
         * against the next op. The child is the pipe's only writer at any time (a spawner waits
         * for its sibling), so a batch longer than PIPE_BUF is still read in order. With nothing to
         * write, two harmless contexts instead, which keeps the count of contexts static.
         */
        void flush() {
            if (reported == written) {
                out.call("memset", mask, errnoAddress, 0, 4);
            } else {
                out.call("write", mask, statusFd, buffer + 4L * written, 4L * (reported - written));
            }
            out.call("memset", mask, errnoAddress, 0, 4);
            written = reported;
        }
    }

    /** Writes the contexts one after another, each linked to the next slot. */
    private final class Emitter {
        private final long slots;
        private final long stackArea;
        private final int total;
        private final long fullMask;
        private int index;

        Emitter(long slots, long stackArea, int total, long fullMask) {
            this.slots = slots;
            this.stackArea = stackArea;
            this.total = total;
            this.fullMask = fullMask;
        }

        /** The address of the context {@code ahead} slots after the next one written. */
        long nextSlot(int ahead) {
            return slots + (long) (index + ahead) * layout.slotSize;
        }

        void call(String function, long mask, long... args) {
            if (index >= total) {
                throw new IllegalStateException("chain has more contexts than counted");
            }
            long ctx = slots + (long) index * layout.slotSize;
            long next = index + 1 < total ? ctx + layout.slotSize : 0;
            copyTemplate(ctx);
            libc.putLong(ctx + UcontextLayout.STACK_SP, stackArea);
            libc.putInt(ctx + UcontextLayout.STACK_FLAGS, 0);
            libc.putLong(ctx + UcontextLayout.STACK_SIZE, STACK_BASE + (long) STACK_STEP * index);
            libc.putLong(ctx + UcontextLayout.LINK, next);
            long[] a = new long[Step.MAX_ARGS];
            System.arraycopy(args, 0, a, 0, args.length);
            libc.makecontext(ctx, libc.symbol(function), args.length, a[0], a[1], a[2], a[3], a[4], a[5]);
            libc.copy(mask, ctx + layout.sigmaskOffset, UcontextLayout.SIGSET_BYTES);
            index++;
        }
    }
}
