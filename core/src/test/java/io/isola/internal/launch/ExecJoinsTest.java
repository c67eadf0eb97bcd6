package io.isola.internal.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.spi.Namespace;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How an exec's child reaches the container's namespaces: spawned vfork-style, or forked into them with a time namespace. */
class ExecJoinsTest {

    private static ProgramComposer.JoinedNamespace join(Namespace namespace, int fd) {
        return new ProgramComposer.JoinedNamespace(namespace, fd);
    }

    @Test
    void withoutATimeNamespaceTheChildJoinsEveryOneAndSpawns() {
        ExecJoins joins =
                new ExecJoins(List.of(join(Namespace.PID, 10), join(Namespace.NET, 11), join(Namespace.MOUNT, 12)));

        assertFalse(joins.forked());
        assertTrue(joins.spawns());
        assertEquals(joins.all(), joins.bySetns());
        assertEquals(-1, joins.pidNamespaceFd());
    }

    @Test
    void aTimeNamespaceMakesAForkedChildBornInThePidNamespaceThatJoinsTheRestItself() {
        ExecJoins joins = new ExecJoins(List.of(
                join(Namespace.USER, 9), join(Namespace.PID, 10), join(Namespace.TIME, 11), join(Namespace.MOUNT, 12)));

        assertTrue(joins.forked());
        assertFalse(joins.spawns());
        assertEquals(
                List.of(Namespace.USER, Namespace.TIME, Namespace.MOUNT),
                joins.bySetns().stream()
                        .map(ProgramComposer.JoinedNamespace::namespace)
                        .toList());
        assertEquals(10, joins.pidNamespaceFd());
    }

    @Test
    void nothingToJoinIsAPlainLaunch() {
        assertFalse(ExecJoins.NONE.forked());
        assertFalse(ExecJoins.NONE.spawns());
        assertEquals(-1, ExecJoins.NONE.pidNamespaceFd());
    }
}
