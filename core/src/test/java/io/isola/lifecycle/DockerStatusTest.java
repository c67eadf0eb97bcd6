package io.isola.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** isola's states in Docker's words: the one mapping that inspect and ps both show. */
class DockerStatusTest {

    private static final Relaunch ALWAYS = new Relaunch(List.of("true"), "always", 0, null);

    @Test
    void eachStateHasDockersWord() {
        assertEquals("created", word(ContainerState.Status.CREATED, extra().build()));
        assertEquals("created", word(ContainerState.Status.CREATING, extra().build()));
        assertEquals(
                "restarting",
                word(
                        ContainerState.Status.CREATING,
                        extra().relaunch(ALWAYS.withCount(1)).build()));
        assertEquals("running", word(ContainerState.Status.RUNNING, extra().build()));
        assertEquals(
                "exited",
                word(ContainerState.Status.STOPPED, extra().startedAt("then").build()));
        assertEquals(
                "created",
                word(ContainerState.Status.STOPPED, extra().relaunch(ALWAYS).build()),
                "create, never started");
        assertEquals(
                "dead",
                DockerStatus.of(ContainerState.unreadable("c1", "bad json")).word());
    }

    @Test
    void aFrozenCgroupIsPausedOnlyWhileItsProcessLives() {
        ContainerState frozen = state(
                ContainerState.Status.RUNNING,
                extra().cgroup(new CgroupState(null, Boolean.TRUE, null)).build());
        assertEquals(DockerStatus.PAUSED, DockerStatus.of(frozen));
        assertEquals(DockerStatus.RUNNING, DockerStatus.of(frozen, false));
        Map<?, ?> inspected = (Map<?, ?>) Inspection.of(frozen).get("State"); // pid 0: no process lives
        assertEquals("running", inspected.get("Status"));
        assertEquals(false, inspected.get("Paused"));
    }

    @Test
    void aWordOutsideDockersIsNamedWithTheAllowedOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DockerStatus.parse("removing"));
        assertEquals(
                "status \"removing\": expected created, restarting, running, paused, exited or dead (isola has no removing)",
                e.getMessage());
        assertEquals(DockerStatus.PAUSED, DockerStatus.parse("paused"));
    }

    private static ContainerStateExtraBuilder extra() {
        return ContainerState.Extra.builder().name("c1");
    }

    private static String word(ContainerState.Status status, ContainerState.Extra extra) {
        return DockerStatus.of(state(status, extra)).word();
    }

    private static ContainerState state(ContainerState.Status status, ContainerState.Extra extra) {
        return new ContainerState(ContainerState.OCI_VERSION, "c1", status, 0, "/b", Map.of(), "now", extra);
    }
}
