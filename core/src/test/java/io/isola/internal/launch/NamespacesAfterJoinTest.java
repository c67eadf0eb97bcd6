package io.isola.internal.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.ContainerSpec;
import io.isola.api.NamespacePaths;
import io.isola.internal.chain.ChildProgram;
import io.isola.spi.Namespace;
import io.isola.spi.Phase;
import io.isola.testing.RecordingSyscalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The steps of namespaces created beside a joined user namespace, as data, and the thin create giving way. */
class NamespacesAfterJoinTest {

    private static final Set<Namespace> POD_JOINS =
            EnumSet.of(Namespace.USER, Namespace.NET, Namespace.IPC, Namespace.UTS);

    @Test
    void theChildBecomesRootCreatesInTheKernelsOrderThenSpawnsAndWaitsForTheHost() {
        NamespacesAfterJoin created =
                NamespacesAfterJoin.of(POD_JOINS, EnumSet.of(Namespace.MOUNT, Namespace.CGROUP, Namespace.PID), false);
        Contribution steps = new Contribution("join");

        created.contribute(steps, true);

        assertEquals(
                List.of(
                        "set the group ids to 0",
                        "set the user ids to 0",
                        "create the pid namespace, owned by the joined user namespace",
                        "create the cgroup namespace, owned by the joined user namespace",
                        "create the mnt namespace, owned by the joined user namespace",
                        "spawn: create the container's process in its new PID namespace",
                        "checkpoint: wait until the host knows the container's process"),
                describe(steps.ops(Phase.ENTRY)));
    }

    @Test
    void aStartTheRuntimeWaitsForSetsTheParentDeathSignalAgainAfterTheSpawn() {
        Contribution steps = new Contribution("join");

        NamespacesAfterJoin.of(POD_JOINS, EnumSet.of(Namespace.PID), false).contribute(steps, false);

        List<String> described = describe(steps.ops(Phase.ENTRY));
        assertEquals("set the parent-death signal", described.get(described.size() - 1));
    }

    @Test
    void withoutANewPidNamespaceNothingIsSpawned() {
        Contribution steps = new Contribution("join");

        NamespacesAfterJoin.of(POD_JOINS, EnumSet.of(Namespace.MOUNT), false).contribute(steps, true);

        assertTrue(steps.ops(Phase.ENTRY).stream().noneMatch(op -> !(op instanceof ChildProgram.Call)));
    }

    @Test
    void onlyAJoinedUserNamespaceBesideCreatedOnesNeedsIt() {
        assertNull(NamespacesAfterJoin.of(EnumSet.of(Namespace.NET), EnumSet.of(Namespace.PID), false));
        assertNull(NamespacesAfterJoin.of(POD_JOINS, EnumSet.noneOf(Namespace.class), false));
    }

    @Test
    void aNewTimeNamespaceBesideAJoinedUserNamespaceIsRefused() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> NamespacesAfterJoin.of(POD_JOINS, EnumSet.of(Namespace.PID), true));
        assertTrue(
                e.getMessage().startsWith("a new time namespace beside a user namespace joined by path"),
                e.getMessage());
    }

    /**
     * The thin create (issue 17) cannot carry the namespace files the child joins: the server's
     * plan is refused before anything is cloned, holding nothing open, and the create runs in the
     * engine's process instead (CreateCommand's fallback), where the join and the spawn happen.
     */
    @Test
    void aThinCreateOfAUserNamespacedPodsAppFallsBackInProcessLeavingNothingOpen() throws Exception {
        RecordingSyscalls host = new RecordingSyscalls();
        Launch.Runner planOnly = (launch, programs, stdio) -> {
            programs.create(List.of(70, 71));
            throw new AssertionError("a plan was made");
        };
        ContainerSpec spec = ContainerSpec.builder("true")
                .id("thin-pod-app")
                .isolators(Set.of("pid"))
                .with(new NamespacePaths(Map.of("user", "/proc/self/ns/user")))
                .with(new RemoteClone(
                        plan -> {
                            throw new AssertionError("cloned");
                        },
                        List.of(),
                        70,
                        1024))
                .build();
        long before = openFds();
        try (Orchestrator orchestrator = new Orchestrator(() -> StandInIsolator.BUNDLES, null, host, planOnly)) {
            RemoteClone.Unsupported refused =
                    assertThrows(RemoteClone.Unsupported.class, () -> orchestrator.start(spec));
            assertTrue(refused.getMessage().contains("a joined namespace"), refused.getMessage());
        }
        assertEquals(Set.of(), host.openFds());
        assertEquals(before, openFds(), "the joined namespace's file was left open");
    }

    /** This JVM's fds on a user namespace. */
    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                        try {
                            return Files.readSymbolicLink(fd).toString().startsWith("user:[");
                        } catch (IOException gone) {
                            return false;
                        }
                    })
                    .count();
        }
    }

    private static List<String> describe(List<ChildProgram.Op> ops) {
        return ops.stream().map(NamespacesAfterJoinTest::describe).toList();
    }

    private static String describe(ChildProgram.Op op) {
        if (op instanceof ChildProgram.Call call) {
            return call.step().description();
        }
        if (op instanceof ChildProgram.Spawn spawn) {
            return "spawn: " + spawn.description();
        }
        return "checkpoint: " + ((ChildProgram.Checkpoint) op).description();
    }
}
