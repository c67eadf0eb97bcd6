package io.isola.internal.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.ContainerSpec;
import io.isola.api.ProcessUser;
import io.isola.internal.security.SecurityPolicy;
import io.isola.spi.Step;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where a root runtime's child makes itself non-dumpable, read from the composed program (nothing
 * is started): first, before any namespace is joined or created, and again once its ids have
 * changed (which resets the flag to {@code fs.suid_dumpable}), before the gate.
 */
class NonDumpableStepsTest {

    private static final String STEP = "make the process non-dumpable";

    private static List<String> calls(ContainerSpec spec, boolean nonDumpable) {
        return ComposedSteps.of(spec, List.of(), SecurityPolicy.plan(spec), nonDumpable).stream()
                .map(Step::description)
                .toList();
    }

    @Test
    void firstAndAgainAfterTheSwitchOfIds() {
        List<String> calls = calls(
                ContainerSpec.builder("true").with(ProcessUser.of(1000, 1000)).build(), true);
        assertEquals(STEP, calls.get(0));
        int userIds = calls.indexOf("set the user ids to 1000");
        assertTrue(userIds > 0, calls::toString);
        int again = calls.lastIndexOf(STEP);
        assertTrue(again > userIds && again < calls.indexOf("set no_new_privs"), calls::toString);
        assertEquals(2, calls.stream().filter(STEP::equals).count(), calls::toString);
    }

    @Test
    void notForARootlessRuntimeWhoseChildTheUserMustReach() {
        assertTrue(calls(ContainerSpec.builder("true").build(), false).stream().noneMatch(STEP::equals));
    }
}
