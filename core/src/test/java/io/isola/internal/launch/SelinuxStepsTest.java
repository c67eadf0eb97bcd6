package io.isola.internal.launch;

import static io.isola.internal.launch.ComposedSteps.indexOf;
import static io.isola.internal.launch.ComposedSteps.word;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.ContainerSpec;
import io.isola.api.Security;
import io.isola.internal.security.SecurityPolicy;
import io.isola.internal.security.SelinuxOnExec;
import io.isola.spi.Arg;
import io.isola.spi.Step;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where and how the child asks SELinux for the command's context (process.selinuxLabel), read from
 * the composed program (nothing is started; this host has no SELinux, scripts/smoke-vm.sh boots
 * one): written to the child's own attr/exec through the host's /proc, as AppArmor's profile is.
 */
class SelinuxStepsTest {

    private static final String LABEL = "system_u:system_r:container_t:s0:c1,c2";
    private static final Security LABELLED =
            Security.builder().selinuxLabel(LABEL).build();
    private static final int HOST_PROC = 9;

    private static List<Step> calls(ContainerSpec spec) {
        SelinuxOnExec selinux =
                SelinuxOnExec.of(LABELLED, new SelinuxOnExec.Host(true)).through(HOST_PROC);
        return ComposedSteps.of(spec, List.of(3, 4), SecurityPolicy.plan(spec).withExecLabel(selinux), true);
    }

    @Test
    void theContextIsWrittenToTheChildsOwnAttrExecThroughTheHostsProc() {
        List<Step> calls = calls(ContainerSpec.builder("true").build());

        int open = indexOf(calls, "open /proc/thread-self/attr/exec");
        int write = indexOf(calls, "run the command in SELinux context \"" + LABEL + "\"");
        assertEquals(indexOf(calls, "close inherited file descriptors 10 and above") + 1, open, calls::toString);
        assertEquals(open + 1, write, calls::toString);
        assertTrue(write < indexOf(calls, "install the seccomp filter"), calls::toString);
        assertEquals(HOST_PROC, word(calls.get(open), 0));
        assertEquals(
                new Arg.Text("thread-self/attr/exec"), calls.get(open).args().get(1));
        // the context alone, as go-selinux writes it: no "exec " as AppArmor's, no newline
        assertEquals(5, word(calls.get(write), 0));
        assertEquals(
                LABEL, new String(((Arg.Bytes) calls.get(write).args().get(1)).value(), StandardCharsets.US_ASCII));
        assertEquals(5L, word(calls.get(write + 1), 0), "attr/exec closed");
        assertEquals(HOST_PROC, word(calls.get(indexOf(calls, "close the host's /proc")), 0));
    }

    /**
     * As runc's SetKeyLabel: the session keyring the child joins gets the container's context, not
     * the runtime's (its own keyring denied to it, or its keys outside its label). The old child
     * wrote attr/exec alone.
     */
    @Test
    void theSessionKeyringIsCreatedInTheContainersContext() {
        List<Step> calls = calls(ContainerSpec.builder("true").build());

        int open = indexOf(calls, "open /proc/thread-self/attr/keycreate");
        int write = indexOf(calls, "create the session keyring in SELinux context \"" + LABEL + "\"");
        assertTrue(open >= 0, calls::toString);
        assertEquals(open + 1, write, calls::toString);
        assertTrue(write < indexOf(calls, "join a new session keyring"), calls::toString);
        assertEquals(HOST_PROC, word(calls.get(open), 0));
        assertEquals(
                new Arg.Text("thread-self/attr/keycreate"),
                calls.get(open).args().get(1));
        assertEquals(
                LABEL, new String(((Arg.Bytes) calls.get(write).args().get(1)).value(), StandardCharsets.US_ASCII));
        assertTrue(write < indexOf(calls, "close the host's /proc"), "written before the host's /proc is closed");
    }

    @Test
    void withoutSelinuxTheLabelIsIgnored() {
        assertNull(SelinuxOnExec.of(LABELLED, new SelinuxOnExec.Host(false)));
        assertNull(SelinuxOnExec.of(Security.defaults(), new SelinuxOnExec.Host(true)));
    }
}
