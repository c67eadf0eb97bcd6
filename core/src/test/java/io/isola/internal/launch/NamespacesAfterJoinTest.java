package io.isola.internal.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.internal.chain.ChildProgram;
import io.isola.spi.Namespace;
import io.isola.spi.Phase;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The steps of namespaces created beside a joined user namespace, as data: no kernel needed. */
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
