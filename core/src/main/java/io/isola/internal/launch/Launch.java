package io.isola.internal.launch;

import static io.isola.internal.nativ.Signals.SIGKILL;

import io.isola.api.ContainerSpec;
import io.isola.api.ExecFailedException;
import io.isola.api.ExitStatus;
import io.isola.api.IsolaException;
import io.isola.api.StepFailedException;
import io.isola.api.TimeNamespace;
import io.isola.internal.chain.ChildProgram;
import io.isola.internal.chain.CloneMode;
import io.isola.internal.chain.CloneThreads;
import io.isola.internal.chain.ExpectedRecord;
import io.isola.internal.chain.GatePayload;
import io.isola.internal.chain.StepRecordReader;
import io.isola.internal.nativ.Errno;
import io.isola.internal.nativ.HeldProcess;
import io.isola.internal.nativ.NativeException;
import io.isola.internal.nativ.Syscalls;
import io.isola.spi.ClonedChild;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's side of one start: clones the child through a {@link ChildCloner}, reads its step
 * records, runs the isolators' host-side work, answers the checkpoints and the gate, and returns
 * once the command runs. The protocol is described in {@link StepRecordReader}.
 *
 * <p>On any failure the child is stopped before the command could run: killed when a step failed
 * (later steps could be harmful), refused at the gate when the host gave up (the child exits 127),
 * and reaped in both cases.
 *
 * <p>Every kernel call goes through {@link Syscalls} and the {@link ChildCloner}, so that a test can
 * play the child (LaunchSeamTest).
 */
final class Launch {

    private static final Logger LOG = LoggerFactory.getLogger(Launch.class);
    private static final int EPIPE = 32, ENOMEM = 12;
    private static final Duration REFUSAL_GRACE = Duration.ofSeconds(2);

    private final ContainerSpec spec;
    private final List<PreparedIsolation> isolations;
    private final Syscalls host;
    private final ChildCloner cloner;
    private final int namespaceFlags;
    private final GateFifos fifos;
    private final PathJoins joins;
    /** An exec's joins, which decide its clone mode and the PID namespace it is born in. */
    private final ExecJoins exec;
    /** Set when another process clones the child: this one plans and runs the protocol, not the clone. */
    private final RemoteClone remote;
    /** With {@link #remote}: the fds the program names besides the protocol's, which travel with the plan. */
    private final List<Integer> travelling;

    /**
     * With {@code fifos}, the launch is OCI {@code create}: the child is cloned fork-style, its
     * channels are the FIFOs, and {@link #run} returns once the child waits at the gate. With
     * {@code joins}, the child is cloned into their PID namespace, and fork-style when it joins a
     * namespace that a process sharing memory with others cannot; {@code exec}'s joins likewise
     * ({@link ExecJoins}).
     */
    Launch(
            ContainerSpec spec,
            List<PreparedIsolation> isolations,
            Syscalls host,
            ChildCloner cloner,
            int namespaceFlags,
            GateFifos fifos,
            PathJoins joins,
            ExecJoins exec,
            List<Integer> travelling) {
        this.spec = spec;
        this.travelling = List.copyOf(travelling);
        this.isolations = isolations;
        this.host = host;
        this.cloner = cloner;
        this.namespaceFlags = namespaceFlags;
        this.fifos = fifos;
        this.joins = joins;
        this.exec = exec;
        this.remote = spec.extension(RemoteClone.class).orElse(null);
    }

    /** What a successful start leaves to the container handle. */
    record Started(HeldProcess process, StdioPlan stdio) {}

    Started run(ProgramFactory programs, StdioPlan stdio) {
        boolean execs = spec.extension(io.isola.api.Join.class).isPresent();
        if (remote != null
                && ((fifos == null && !execs)
                        || spec.extension(TimeNamespace.class).isPresent())) {
            throw new RemoteClone.Unsupported(
                    "only an OCI create without a time namespace, or an exec, is cloned by another process");
        }
        int[] status = fifos != null ? fifos.openStatusForCreate() : host.pipe();
        int[] gate;
        try {
            gate = fifos != null ? fifos.openGateForChild() : host.pipe();
        } catch (RuntimeException e) {
            host.closeQuietly(status[0]);
            host.closeQuietly(status[1]);
            throw e;
        }
        if (remote != null) {
            // the numbers the program names, which the cloning process gives its copies
            status[1] = RemoteClones.lift(status[1]);
            gate[0] = RemoteClones.lift(gate[0]);
        }
        Protocol protocol = new Protocol(status, gate, stdio);
        try (protocol) {
            ChildProgram program = programs.create(List.of(status[1], gate[0]));
            LaunchProbe.composed(program);
            return protocol.run(program);
        }
    }

    /**
     * Runs a launch: {@link #REAL} clones the child; a test's runner stops once the program is
     * composed, so that the pipeline before the clone runs without a kernel.
     */
    interface Runner {
        Runner REAL = Launch::run;

        Started run(Launch launch, ProgramFactory programs, StdioPlan stdio);
    }

    /** Builds the child program once the protocol pipes (which the child keeps) exist. */
    interface ProgramFactory {
        ChildProgram create(List<Integer> protocolFds);
    }

    /** The state of one run of the protocol; closing it releases everything not handed over. */
    private final class Protocol implements AutoCloseable {
        private final int[] status;
        private final int[] gate;
        private final StdioPlan stdio;

        private final StepRecordReader records;
        /** The clone under way: its thread, the child's pid and a spawned sibling's. */
        private ChildCloner.Clone cloned;

        private HeldProcess child;
        /** A {@link RemoteClone}'s child, held since the cloner checked it. */
        private HeldProcess remoteChild;
        /** The first child, once it has spawned the sibling that became {@link #child}. */
        private HeldProcess spawner;

        private boolean handedOver;
        private boolean hostSideDone;
        /** The child as the isolators' host side sees it, holding its namespaces until the protocol ends. */
        private HeldChild held;

        Protocol(int[] status, int[] gate, StdioPlan stdio) {
            this.status = status;
            this.gate = gate;
            this.stdio = stdio;
            this.records = new StepRecordReader(status[0], host);
        }

        Started run(ChildProgram program) {
            List<ExpectedRecord> expected = program.records();
            long deadline = System.nanoTime() + spec.startTimeout().toNanos();
            TimeNamespace time = spec.extension(TimeNamespace.class).orElse(null);
            // a new time namespace takes only a child that does not share the JVM's memory
            boolean ownMemory =
                    fifos != null || time != null || (joins != null && joins.needsOwnMemory()) || exec.forked();
            int pidNamespaceFd = joins != null && joins.pidNamespace() != null
                    ? joins.pidNamespace().fd()
                    : exec.pidNamespaceFd();
            cloned = remote != null
                    ? cloneRemotely(program)
                    : cloner.clone(
                            program,
                            namespaceFlags,
                            status[1],
                            gate[0],
                            ownMemory ? CloneMode.FORK : CloneMode.VFORK,
                            pidNamespaceFd,
                            time);
            int execErrno = 0;
            for (int index = 0; index < expected.size(); index++) {
                ExpectedRecord record = expected.get(index);
                if (record.kind() == ExpectedRecord.Kind.CHECKPOINT || record.kind() == ExpectedRecord.Kind.GATE) {
                    runHostSide();
                }
                if (record.kind() == ExpectedRecord.Kind.GATE) {
                    stdio.atGate(child); // every step before the gate is done: an in-container terminal exists
                }
                if (record.kind() == ExpectedRecord.Kind.CHECKPOINT) {
                    awaitHostSide(record, deadline);
                    answer(record, new byte[] {1});
                } else if (record.kind() == ExpectedRecord.Kind.GATE && fifos != null) {
                    fifos.savePayload(GatePayload.of(program.exec()));
                    return started(); // created: a later start opens the gate
                } else if (record.kind() == ExpectedRecord.Kind.GATE) {
                    answer(record, GatePayload.of(program.exec()));
                    closeFd(gate, 1);
                }
                Integer value = next(record, deadline);
                if (child == null) {
                    onCloned(value);
                }
                LaunchProbe.fire(child.pid(), index, record);
                if (record.kind() == ExpectedRecord.Kind.SPAWN && value != null && value > 0) {
                    onSpawned(value);
                    continue;
                }
                if (value == null || record.kind() == ExpectedRecord.Kind.SPAWN) {
                    if (record.kind() == ExpectedRecord.Kind.SPAWN) {
                        // EOF (a vfork-style spawner) or no pid (a fork-style one): its clone failed
                        throw new IsolaException("could not create the process in the container's namespaces ("
                                + record.description() + "): " + reapedText());
                    }
                    if (record.kind() == ExpectedRecord.Kind.EXEC) {
                        return started();
                    }
                    // records come in batches (StepRecordReader): the child got at least this far
                    throw new IsolaException("the container's process ended during step '" + record.description()
                            + "' of " + record.owner() + " or a later one before the next checkpoint: " + reapedText());
                }
                if (record.kind() == ExpectedRecord.Kind.EXEC) {
                    execErrno = moreTelling(execErrno, value);
                } else if (!record.accepts(value)) {
                    awaitSpawned(expected, index, deadline);
                    kill();
                    throw new StepFailedException(
                            record.owner(), record.description(), value, Errno.name(value), Errno.describe(value));
                }
            }
            ExitStatus exit = reap();
            LOG.debug("no exec candidate ran; the child {}", exit);
            throw new ExecFailedException(
                    spec.command().get(0), execErrno, Errno.name(execErrno), Errno.describe(execErrno));
        }

        /** The other process's clone: done when it reports the pid, which goes where a clone of ours puts it. */
        private ChildCloner.Clone cloneRemotely(ChildProgram program) {
            int pidNamespace = exec.pidNamespaceFd();
            int[] others = travelling.stream()
                    .filter(fd -> fd != pidNamespace)
                    .mapToInt(Integer::intValue)
                    .toArray();
            try {
                remoteChild = remote.cloner()
                        .clone(new io.isola.internal.chain.ClonePlan(
                                program, namespaceFlags, status[1], gate[0], pidNamespace, others));
            } catch (NativeException e) {
                if (e.errno() == ENOMEM && pidNamespace >= 0) {
                    // the kernel's answer to a clone into a PID namespace whose init has gone
                    throw new IsolaException(
                            "the container ended before its new process could be created in it (clone: ENOMEM)", e);
                }
                throw e;
            }
            return ChildCloner.Clone.done(remoteChild.pid());
        }

        /**
         * Waits for the child's end and reaps it; null after {@code timeout}. Another process's
         * child is only seen to end (that process reaps it), with no status: null as well.
         */
        private ExitStatus awaitExit(HeldProcess process, Duration timeout) throws InterruptedException {
            if (remote == null) {
                return process.awaitExit(timeout);
            }
            process.awaitEnd(timeout);
            return null;
        }

        /** The first record: a child exists (or the clone failed). */
        private void onCloned(Integer value) {
            if (value != null && value < 0) {
                throw cloneFailure(value);
            }
            long pid = cloned.childPid();
            child = remoteChild != null ? remoteChild : host.openChild(pid);
            LOG.debug("cloned child {}", pid);
            closeFd(status, 1);
            closeFd(gate, 0);
            stdio.closeChildEnds();
        }

        /** The spawn record, the sibling's pid: from now on the sibling is the process this launch is about. */
        private void onSpawned(long pid) {
            spawner = child;
            child = host.openChild(pid);
            LOG.debug("child {} spawned {}", spawner.pid(), pid);
        }

        /**
         * After the failed record at {@code failed}: when the child spawns before it next waits
         * for the host, reads on to the spawn record, so that the sibling is known and killed as
         * well. The chain goes on past a failed step and spawns all the same, and a sibling
         * nobody knows would be left waiting at its checkpoint (an OCI create's gate FIFO never
         * gives it EOF). Gives up at EOF, at the deadline, or at any other kind of op.
         */
        private void awaitSpawned(List<ExpectedRecord> expected, int failed, long deadline) {
            int spawn = failed + 1;
            while (spawn < expected.size() && expected.get(spawn).kind() == ExpectedRecord.Kind.STEP) {
                spawn++;
            }
            if (spawn == expected.size() || expected.get(spawn).kind() != ExpectedRecord.Kind.SPAWN) {
                return; // no spawn before the child next waits for the host: killing it is enough, as ever
            }
            for (int index = failed + 1; index <= spawn; index++) {
                ExpectedRecord.Kind kind = expected.get(index).kind();
                Integer value;
                try {
                    value = records.next(deadline);
                } catch (TimeoutException e) {
                    return;
                }
                if (value == null) {
                    return;
                }
                if (kind == ExpectedRecord.Kind.SPAWN) {
                    if (value > 0) {
                        onSpawned(value);
                    }
                    return;
                }
            }
        }

        /**
         * The isolators' host-side work, once, before the first checkpoint or the gate is answered:
         * the child may be waiting for it (id maps), and every record so far was clean.
         */
        private void runHostSide() {
            if (hostSideDone) {
                return;
            }
            hostSideDone = true;
            held = new HeldChild(child);
            ClonedChild cloned = held;
            for (PreparedIsolation prepared : isolations) {
                try {
                    prepared.isolation().afterClone(cloned);
                } catch (Exception e) {
                    ExitStatus refused = refuse();
                    IsolaException failure = Orchestrator.isolatorFailure(prepared, "after clone", e);
                    throw new IsolaException(
                            failure.getMessage() + "; the container's process was refused at the gate and "
                                    + (refused == null ? "killed" : refused) + " without running the command",
                            e);
                }
            }
        }

        /**
         * The host-side work a checkpoint waits for (an isolation's afterClone left it running
         * while the child went on); it fails the start as a failed afterClone does.
         */
        private void awaitHostSide(ExpectedRecord record, long deadline) {
            if (record.hostSide() == null) {
                return;
            }
            Throwable failure;
            try {
                record.hostSide().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                return;
            } catch (ExecutionException e) {
                failure = e.getCause();
            } catch (TimeoutException e) {
                failure = new IsolaException("its host-side work for '" + record.description() + "' timed out after "
                        + spec.startTimeout().toSeconds() + " s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = e;
            }
            ExitStatus refused = refuse();
            String message = failure.getMessage() == null ? failure.toString() : failure.getMessage();
            throw new IsolaException(
                    "isolator \"" + record.owner() + "\" failed in after clone: " + message
                            + "; the container's process was refused at the gate and "
                            + (refused == null ? "killed" : refused)
                            + " without running the command",
                    failure);
        }

        private RuntimeException cloneFailure(int value) {
            try {
                cloned.done().get(5, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException runtime) {
                    return runtime;
                }
                return new IsolaException("cannot clone the container's process: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (TimeoutException e) {
                // fall through to the errno the record carries
            }
            return value == CloneThreads.NO_CHILD
                    ? new IsolaException("cannot clone the container's process")
                    : new NativeException("clone", -value);
        }

        private Integer next(ExpectedRecord record, long deadline) {
            try {
                return records.next(deadline);
            } catch (TimeoutException e) {
                kill();
                throw new IsolaException("the container's setup timed out after "
                        + spec.startTimeout().toSeconds() + " s waiting for step '" + record.description() + "' of "
                        + record.owner());
            }
        }

        /** Opens a checkpoint or the gate; a child that died meanwhile is reported as such, not as EPIPE. */
        private void answer(ExpectedRecord record, byte[] bytes) {
            try {
                host.write(gate[1], bytes, "write to the gate");
            } catch (NativeException e) {
                if (e.errno() != EPIPE) {
                    throw e;
                }
                throw new IsolaException("the container's process ended during step '" + record.description() + "' of "
                        + record.owner() + ": " + reapedText());
            }
        }

        private Started started() {
            awaitCloneThread();
            reapSpawner();
            handedOver = true;
            return new Started(child, stdio);
        }

        /**
         * Closes the gate without the exec paths: the child's execve gets "" and it exits 127.
         * Returns how it ended, or null when it had to be killed.
         */
        private ExitStatus refuse() {
            closeFd(gate, 1);
            try {
                ExitStatus exit = awaitExit(child, REFUSAL_GRACE);
                LOG.debug("refused child {}: {}", child.pid(), exit == null ? "still running, killing it" : exit);
                return exit;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }

        private void kill() {
            if (child != null) {
                child.signal(SIGKILL);
            }
            if (spawner != null) {
                spawner.signal(SIGKILL);
            }
        }

        /** The first child exits as soon as its sibling has exec'd or died (vfork). */
        private void reapSpawner() {
            if (spawner == null) {
                return;
            }
            try {
                if (spawner.awaitExit(Duration.ofSeconds(10)) == null) {
                    spawner.signal(SIGKILL);
                    spawner.awaitExit(Duration.ofSeconds(10));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                spawner.close();
                spawner = null;
            }
        }

        /**
         * {@link #reap} for a message: how the child ended, or that it ended when it is another
         * process's (a thin create's client collects its status, which this process never sees).
         */
        private String reapedText() {
            ExitStatus exit = reap();
            if (exit != null) {
                return exit.toString();
            }
            return remote != null
                    ? "it ended (the process that cloned it collects its status)"
                    : "its status is unknown";
        }

        private ExitStatus reap() {
            try {
                ExitStatus exit = awaitExit(child, Duration.ofSeconds(10));
                if (exit == null) {
                    child.signal(SIGKILL);
                    exit = awaitExit(child, Duration.ofSeconds(10));
                }
                return exit;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                child.signal(SIGKILL);
                return null;
            }
        }

        private void awaitCloneThread() {
            try {
                cloned.done().get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LOG.warn("the cloning thread did not finish cleanly: {}", e.toString());
            }
        }

        private void closeFd(int[] pair, int end) {
            host.closeQuietly(pair[end]);
            pair[end] = -1;
        }

        @Override
        public void close() {
            if (held != null) {
                held.close();
            }
            closeFd(gate, 1);
            if (!handedOver) {
                if (child != null) {
                    kill();
                    reap();
                    child.close();
                }
                reapSpawner();
                if (cloned != null) {
                    awaitCloneThread();
                }
                closeFd(status, 1);
                closeFd(gate, 0);
            }
            closeFd(status, 0);
            records.close();
            if (cloned != null) {
                cloned.close();
            }
        }
    }

    /** Keeps the most telling errno of the failed exec candidates, as execvp does: not ENOENT. */
    private static int moreTelling(int current, int next) {
        return current == 0 || current == Errno.ENOENT ? next : current;
    }
}
