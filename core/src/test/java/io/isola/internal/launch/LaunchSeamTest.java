package io.isola.internal.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.ExitStatus;
import io.isola.api.IsolaException;
import io.isola.api.Network;
import io.isola.api.Stdio;
import io.isola.api.StepFailedException;
import io.isola.api.TimeNamespace;
import io.isola.internal.chain.ChildProgram;
import io.isola.internal.chain.CloneMode;
import io.isola.internal.chain.ExpectedRecord;
import io.isola.internal.nativ.NativeException;
import io.isola.testing.RecordingSyscalls;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The host's side of the launch protocol ({@link Launch}) without a kernel: the whole start runs
 * against {@link RecordingSyscalls}, with a child that a {@link ScriptedCloner} plays from the
 * program's expected records (clean, a failed step, gone at a point), and the test reads what the
 * host did: what it wrote to the gate, whom it killed and reaped, and that nothing stays open.
 * {@link LaunchProtocolTest} shows the same outcomes with a real child.
 */
class LaunchSeamTest {

    private static final long CHILD = 4242;
    private static final int EPIPE = 32, ENODEV = 19, EAGAIN = 11;
    /** With every stream inherited, the launch's own pipes are the first fds the fake hands out. */
    private static final int STATUS_READ = 100, GATE_WRITE = 103;

    private final RecordingSyscalls host = new RecordingSyscalls();

    @Test
    void aCleanStartOpensTheGateOnceAndHandsTheChildOver() {
        int[] beforeExec = new int[1];
        ScriptedCloner cloner = new ScriptedCloner(records -> {
            beforeExec[0] = firstOf(records, ExpectedRecord.Kind.EXEC, 1);
            return clean(records, beforeExec[0] - 1);
        });
        try (Orchestrator orchestrator = orchestrator(cloner)) {
            Container container = orchestrator.start(spec());
            assertEquals(CHILD, container.pid());
            assertEquals(List.of("clone VFORK, status fd 101, gate fd 102"), cloner.clones);
            assertEquals(
                    List.of(
                            "read(100) = N records", // up to the first checkpoint: the child exists
                            "pidfd_open(4242) = 104",
                            "close(101)", // the child's ends, once it has its copies
                            "close(102)",
                            "write(103, 1 bytes)", // the checkpoint's answer
                            "read(100) = N records",
                            "write(103, 10 bytes)", // the exec path at the gate
                            "close(103)",
                            "read(100) = N records",
                            "read(100) = EOF", // in place of the exec record: the command runs
                            "close(100)"),
                    fromTheClone().stream()
                            .map(call -> call.replaceAll("= \\d+ records", "= N records"))
                            .toList());
            // how many records each batch holds is the composed program's business (the golden
            // tests show it): the host read every one the child wrote before its exec
            assertEquals(
                    beforeExec[0],
                    fromTheClone().stream()
                            .filter(call -> call.endsWith(" records"))
                            .mapToInt(call -> Integer.parseInt(call.replaceAll(".* = (\\d+) records", "$1")))
                            .sum());
            assertEquals(Set.of(104), host.openFds(), "only the child's pidfd stays, held by the container");
            container.close(); // kills and reaps the still running child
        }
        assertEquals(Set.of(), host.openFds());
    }

    @Test
    void aFailedStepKillsAndReapsTheChildAndNeverOpensTheGate() {
        ScriptedCloner cloner = new ScriptedCloner(records -> {
            int failing = firstOf(records, ExpectedRecord.Kind.STEP, 1);
            List<Integer> values = clean(records, failing);
            values.set(failing, ENODEV);
            return values;
        });
        try (Orchestrator orchestrator = orchestrator(cloner)) {
            StepFailedException e = assertThrows(StepFailedException.class, () -> orchestrator.start(spec()));
            assertEquals("ENODEV", e.errnoName());
            List<String> launch = fromTheClone();
            assertTrue(launch.contains("pidfd_send_signal(104, 9)"), launch.toString());
            assertTrue(launch.contains("waitid(104) = killed by signal 9"), launch.toString());
            assertEquals(
                    0,
                    launch.stream()
                            .filter(c -> c.startsWith("write(" + GATE_WRITE + ", 0"))
                            .count(),
                    "no exec paths were sent: " + launch);
        }
        assertEquals(Set.of(), host.openFds());
    }

    /** EPIPE at the gate means the child is gone: the start says how it ended, not the errno. */
    @Test
    void aChildGoneBeforeTheGateIsReportedWithItsExit() {
        host.refuseWrites(GATE_WRITE, EPIPE).exitsWith(CHILD, ExitStatus.exited(3));
        ScriptedCloner cloner =
                new ScriptedCloner(records -> clean(records, firstOf(records, ExpectedRecord.Kind.CHECKPOINT, 1)));
        try (Orchestrator orchestrator = orchestrator(cloner)) {
            IsolaException e = assertThrows(IsolaException.class, () -> orchestrator.start(spec()));
            assertTrue(e.getMessage().startsWith("the container's process ended during step '"), e.getMessage());
            assertTrue(e.getMessage().endsWith(": exited with code 3"), e.getMessage());
        }
        assertEquals(Set.of(), host.openFds());
    }

    /** EOF between two batches: the child ended at the last reported step or one after it. */
    @Test
    void aChildThatEndsBetweenBatchesNamesTheStepWhereItsReportsStop() {
        host.exitsWith(CHILD, ExitStatus.killed(11));
        int[] stop = new int[1];
        ScriptedCloner cloner = new ScriptedCloner(records -> {
            stop[0] = firstOf(records, ExpectedRecord.Kind.STEP, 2);
            return clean(records, stop[0] - 1);
        });
        try (Orchestrator orchestrator = orchestrator(cloner)) {
            IsolaException e = assertThrows(IsolaException.class, () -> orchestrator.start(spec()));
            assertTrue(
                    e.getMessage().contains(" or a later one before the next checkpoint: killed by signal 11"),
                    e.getMessage());
            assertTrue(
                    e.getMessage()
                            .contains(
                                    "'" + cloner.program.records().get(stop[0]).description() + "'"),
                    e.getMessage());
        }
        assertEquals(Set.of(), host.openFds());
    }

    /** The cloning thread's negative errno in place of the first record: no child to hold or kill. */
    @Test
    void aCloneThatFailedGivesItsErrnoAndHoldsNoChild() {
        ScriptedCloner cloner = new ScriptedCloner(records -> List.of(-EAGAIN));
        try (Orchestrator orchestrator = orchestrator(cloner)) {
            NativeException e = assertThrows(NativeException.class, () -> orchestrator.start(spec()));
            assertEquals(EAGAIN, e.errno());
            assertEquals(
                    0,
                    fromTheClone().stream().filter(c -> c.startsWith("pidfd")).count());
        }
        assertEquals(Set.of(), host.openFds());
    }

    private Orchestrator orchestrator(ScriptedCloner cloner) {
        cloner.host = host;
        return new Orchestrator(() -> StandInIsolator.BUNDLES, null, host, cloner, Launch.Runner.REAL);
    }

    private static ContainerSpec spec() {
        return ContainerSpec.builder("/bin/true")
                .id("seam")
                .with(Network.none())
                .stdin(Stdio.INHERIT)
                .stdout(Stdio.INHERIT)
                .stderr(Stdio.INHERIT)
                .build();
    }

    /** The host's calls from the first read of the status pipe on. */
    private List<String> fromTheClone() {
        List<String> calls = host.calls();
        int first = calls.indexOf(calls.stream()
                .filter(c -> c.startsWith("read(" + STATUS_READ + ")"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the status pipe was never read: " + calls)));
        return calls.subList(first, calls.size());
    }

    /** 0 for each record up to and including {@code last}, nothing after (the child ends or execs there). */
    private static List<Integer> clean(List<ExpectedRecord> records, int last) {
        List<Integer> values = new ArrayList<>();
        for (int i = 0; i <= last; i++) {
            values.add(0);
        }
        return values;
    }

    /** The index of the {@code nth} record of {@code kind}. */
    private static int firstOf(List<ExpectedRecord> records, ExpectedRecord.Kind kind, int nth) {
        int seen = 0;
        for (int i = 0; i < records.size(); i++) {
            if (records.get(i).kind() == kind && ++seen == nth) {
                return i;
            }
        }
        throw new AssertionError("no " + kind + " number " + nth + " among " + records.size() + " records");
    }

    /**
     * Plays the child: reports pid {@link #CHILD} and writes the values that {@code script} gives
     * for the program's records, in the batches a real child writes (each ends where it could block:
     * before a checkpoint, the gate or an exec), then ends.
     */
    private static final class ScriptedCloner implements ChildCloner {
        private final Function<List<ExpectedRecord>, List<Integer>> script;
        final List<String> clones = new ArrayList<>();
        RecordingSyscalls host;
        ChildProgram program;

        ScriptedCloner(Function<List<ExpectedRecord>, List<Integer>> script) {
            this.script = script;
        }

        @Override
        public Clone clone(
                ChildProgram program,
                int namespaceFlags,
                int statusFd,
                int gateFd,
                CloneMode mode,
                int pidNamespaceFd,
                TimeNamespace time) {
            this.program = program;
            clones.add("clone " + mode + ", status fd " + statusFd + ", gate fd " + gateFd);
            List<ExpectedRecord> records = program.records();
            List<Integer> values = script.apply(records);
            List<Integer> batch = new ArrayList<>();
            for (int i = 0; i < values.size(); i++) {
                ExpectedRecord.Kind kind =
                        records.get(Math.min(i, records.size() - 1)).kind();
                if (!batch.isEmpty() && kind != ExpectedRecord.Kind.STEP) {
                    host.reads(
                            STATUS_READ,
                            batch.stream().mapToInt(Integer::intValue).toArray());
                    batch.clear();
                }
                batch.add(values.get(i));
            }
            if (!batch.isEmpty()) {
                host.reads(
                        STATUS_READ, batch.stream().mapToInt(Integer::intValue).toArray());
            }
            Future<Integer> done = CompletableFuture.completedFuture((int) CHILD);
            return new Clone() {
                @Override
                public Future<Integer> done() {
                    return done;
                }

                @Override
                public long childPid() {
                    return CHILD;
                }

                @Override
                public void close() {}
            };
        }

        @Override
        public void close() {}
    }
}
