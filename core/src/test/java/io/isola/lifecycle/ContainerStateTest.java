package io.isola.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** state.json's status is a closed set written as the OCI word; Extra is built, not positioned. */
class ContainerStateTest {

    private static ContainerState.Extra full() {
        return ContainerState.Extra.builder()
                .name("web")
                .startTime(42)
                .monitor(new ProcessIdentity(7, 8))
                .startedAt("2026-01-01T00:00:00Z")
                .finishedAt("2026-01-01T00:00:01Z")
                .exitCode(3)
                .exitSignal(9)
                .autoRemove(true)
                .detached(true)
                .logFile("/run/x.log")
                .note("why")
                .cgroup(new CgroupState(null, true, null))
                .relaunch(new Relaunch(List.of("run", "x"), "always", 2, null))
                .build();
    }

    @Test
    void theStatusIsWrittenAndReadAsItsOciWord() throws Exception {
        ContainerState state = new ContainerState(
                ContainerState.OCI_VERSION, "c1", ContainerState.Status.RUNNING, 5, "/b", Map.of(), "now", full());
        JsonNode json = StateStore.JSON.readTree(StateStore.JSON.writeValueAsString(state));
        assertEquals("running", json.get("status").asText());
        assertEquals(
                ContainerState.Status.RUNNING,
                StateStore.JSON.treeToValue(json, ContainerState.class).status());
        // its cgroup is frozen: runc's word, which podman reads back
        assertEquals("paused", state.oci().get("status"));
    }

    @Test
    void anUnknownStatusWordIsRefusedNamingTheAllowedOnes() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ContainerState.Status.of("sleeping"));
        assertEquals(
                "container status \"sleeping\": expected one of creating, created, running, stopped, unknown",
                e.getMessage());
    }

    @Test
    void aCopyThroughTheBuilderKeepsEveryComponent() {
        ContainerState.Extra extra = full();
        assertEquals(extra, extra.toBuilder().build());
        ContainerState.Extra renamed = extra.withName("db");
        assertEquals("db", renamed.name());
        assertEquals(extra, renamed.withName("web"));
        assertTrue(renamed.paused());
        assertEquals(2, renamed.restartCount());
    }

    /** A volume's propagation (kept for inspect) survives the copies that update and stop make. */
    @Test
    void aSavedSpecsCopyKeepsTheVolumesPropagation() {
        SavedSpec spec = SavedSpec.builder()
                .command(List.of("sh"))
                .cwd("/")
                .appArmorProfile("p")
                .propagation(Map.of("/shared", "rshared"))
                .build();
        assertEquals(spec, spec.copy().build());
        assertEquals(
                Map.of("/shared", "rshared"),
                spec.withStop(null).withHealth(null).propagation());
    }
}
