package io.isola.internal.launch;

import io.isola.api.ContainerSpec;
import io.isola.api.ExitStatus;
import io.isola.api.IsolaException;
import io.isola.api.StepFailedException;
import io.isola.api.TimeNamespace;
import io.isola.internal.chain.ChildProgram;
import io.isola.internal.chain.CloneMode;
import io.isola.internal.chain.ClonePlan;
import io.isola.internal.chain.CloneThreads;
import io.isola.internal.chain.ExpectedRecord;
import io.isola.internal.chain.GatePayload;
import io.isola.internal.chain.StepRecordReader;
import io.isola.internal.nativ.Errno;
import io.isola.internal.nativ.HeldProcess;
import io.isola.internal.nativ.NativeException;
import io.isola.internal.nativ.Syscalls;
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
 * play the child (LaunchSeamTest). The protocol's pipes or FIFOs are {@link ProtocolChannels}, the
 * processes held {@link StartingChild}, the isolators' part {@link HostSideWork}.
 */
final class Launch {

    private static final Logger LOG = LoggerFactory.getLogger(Launch.class);
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
        Protocol protocol = new Protocol(ProtocolChannels.open(host, fifos, remote), stdio);
        try (protocol) {
            ChildProgram program = programs.create(protocol.channels.childEnds());
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
        private final ProtocolChannels channels;
        private final StdioPlan stdio;
        private final StepRecordReader records;
        private final StartingChild child = new StartingChild(remote != null);
        private final HostSideWork hostSide;

        /** The clone under way: its thread, the child's pid and a spawned sibling's. */
        private ChildCloner.Clone cloned;
        /** A {@link RemoteClone}'s child, held since the cloner checked it. */
        private HeldProcess remoteChild;

        private boolean handedOver;

        Protocol(ProtocolChannels channels, StdioPlan stdio) {
            this.channels = channels;
            this.stdio = stdio;
            this.records = new StepRecordReader(channels.statusRead(), host);
            this.hostSide = new HostSideWork(isolations, spec.startTimeout(), this::refuse);
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
                            channels.statusForChild(),
                            channels.gateForChild(),
                            ownMemory ? CloneMode.FORK : CloneMode.VFORK,
                            pidNamespaceFd,
                            time);
            FailedExec failedExec = new FailedExec();
            for (int index = 0; index < expected.size(); index++) {
                ExpectedRecord record = expected.get(index);
                if (record.kind() == ExpectedRecord.Kind.CHECKPOINT || record.kind() == ExpectedRecord.Kind.GATE) {
                    hostSide.runOnce(child.process());
                }
                if (record.kind() == ExpectedRecord.Kind.GATE) {
                    // every step before the gate is done: an in-container terminal exists
                    stdio.atGate(child.process());
                }
                if (record.kind() == ExpectedRecord.Kind.CHECKPOINT) {
                    hostSide.await(record, deadline);
                    answer(record, new byte[] {1});
                } else if (record.kind() == ExpectedRecord.Kind.GATE && fifos != null) {
                    fifos.savePayload(GatePayload.of(program.exec()));
                    return started(); // created: a later start opens the gate
                } else if (record.kind() == ExpectedRecord.Kind.GATE) {
                    answer(record, GatePayload.of(program.exec()));
                    channels.closeGate();
                }
                Integer value = next(record, deadline);
                if (!child.held()) {
                    onCloned(value);
                }
                LaunchProbe.fire(child.pid(), index, record);
                if (record.kind() == ExpectedRecord.Kind.SPAWN && value != null && value > 0) {
                    child.spawned(host.openChild(value));
                    continue;
                }
                if (value == null || record.kind() == ExpectedRecord.Kind.SPAWN) {
                    if (record.kind() == ExpectedRecord.Kind.SPAWN) {
                        // EOF (a vfork-style spawner) or no pid (a fork-style one): its clone failed
                        throw new IsolaException("could not create the process in the container's namespaces ("
                                + record.description() + "): " + child.reapedText());
                    }
                    if (record.kind() == ExpectedRecord.Kind.EXEC) {
                        return started();
                    }
                    // records come in batches (StepRecordReader): the child got at least this far
                    throw new IsolaException("the container's process ended during step '" + record.description()
                            + "' of " + record.owner() + " or a later one before the next checkpoint: "
                            + child.reapedText());
                }
                if (record.kind() == ExpectedRecord.Kind.EXEC) {
                    failedExec.candidateFailed(value);
                } else if (!record.accepts(value)) {
                    awaitSpawned(expected, index, deadline);
                    child.kill();
                    throw new StepFailedException(
                            record.owner(), record.description(), value, Errno.name(value), Errno.describe(value));
                }
            }
            ExitStatus exit = child.reap();
            LOG.debug("no exec candidate ran; the child {}", exit);
            throw failedExec.exception(spec.command().get(0));
        }

        /** The other process's clone: done when it reports the pid, which goes where a clone of ours puts it. */
        private ChildCloner.Clone cloneRemotely(ChildProgram program) {
            int pidNamespace = exec.pidNamespaceFd();
            int[] others = travelling.stream()
                    .filter(fd -> fd != pidNamespace)
                    .mapToInt(Integer::intValue)
                    .toArray();
            remoteChild = RemoteClones.clone(
                    remote,
                    new ClonePlan(
                            program,
                            namespaceFlags,
                            channels.statusForChild(),
                            channels.gateForChild(),
                            pidNamespace,
                            others));
            return ChildCloner.Clone.done(remoteChild.pid());
        }

        /** The first record: a child exists (or the clone failed). */
        private void onCloned(Integer value) {
            if (value != null && value < 0) {
                throw cloneFailure(value);
            }
            long pid = cloned.childPid();
            child.hold(remoteChild != null ? remoteChild : host.openChild(pid));
            LOG.debug("cloned child {}", pid);
            channels.closeChildEnds();
            stdio.closeChildEnds();
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
                        child.spawned(host.openChild(value));
                    }
                    return;
                }
            }
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
                child.kill();
                throw new IsolaException("the container's setup timed out after "
                        + spec.startTimeout().toSeconds() + " s waiting for step '" + record.description() + "' of "
                        + record.owner());
            }
        }

        /** Opens a checkpoint or the gate; a child that died meanwhile is reported as such, not as EPIPE. */
        private void answer(ExpectedRecord record, byte[] bytes) {
            if (!channels.answer(bytes)) {
                throw new IsolaException("the container's process ended during step '" + record.description() + "' of "
                        + record.owner() + ": " + child.reapedText());
            }
        }

        private Started started() {
            awaitCloneThread();
            child.reapSpawner();
            handedOver = true;
            return new Started(child.process(), stdio);
        }

        /**
         * Closes the gate without the exec paths: the child's execve gets "" and it exits 127.
         * Returns how it ended, or null when it had to be killed.
         */
        private ExitStatus refuse() {
            channels.closeGate();
            try {
                ExitStatus exit = child.awaitExit(REFUSAL_GRACE);
                LOG.debug("refused child {}: {}", child.pid(), exit == null ? "still running, killing it" : exit);
                return exit;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
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

        @Override
        public void close() {
            hostSide.close();
            channels.closeGate();
            if (!handedOver) {
                child.abandon();
                if (cloned != null) {
                    awaitCloneThread();
                }
            }
            channels.close();
            records.close();
            if (cloned != null) {
                cloned.close();
            }
        }
    }
}
