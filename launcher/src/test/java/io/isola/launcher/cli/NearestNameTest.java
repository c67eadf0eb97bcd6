package io.isola.launcher.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The nearest verb or option to a mistyped one, as docker suggests it. */
class NearestNameTest {

    @Test
    void aSwapOrAMissingLetterFindsTheNameAndNoiseFindsNone() {
        assertEquals(List.of("--memory"), NearestName.of("--memroy", List.of("--memory-swap", "--memory", "--name")));
        assertEquals(List.of("stop"), NearestName.of("stpo", List.of("port", "state", "stop", "system")));
        assertEquals(List.of("--health-cmd"), NearestName.of("--helth-cmd", List.of("--help", "--health-cmd")));
        assertEquals(List.of(), NearestName.of("--foo", List.of("--log", "--root")));
    }
}
