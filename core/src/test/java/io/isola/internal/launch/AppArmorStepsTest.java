package io.isola.internal.launch;

import static io.isola.internal.launch.ComposedSteps.indexOf;
import static io.isola.internal.launch.ComposedSteps.word;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.ContainerSpec;
import io.isola.api.Security;
import io.isola.api.Terminal;
import io.isola.internal.security.AppArmorOnExec;
import io.isola.internal.security.SecurityPolicy;
import io.isola.spi.Arg;
import io.isola.spi.Step;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where and how the child asks AppArmor for the command's profile, read from the composed program
 * (nothing is started; this host has no AppArmor, scripts/smoke-vm.sh applies one for real): the
 * last setup before the seccomp filter, through the host's /proc that the child keeps, on an fd
 * that nothing else holds then.
 */
class AppArmorStepsTest {

    private static final AppArmorOnExec.Host ENABLED = new AppArmorOnExec.Host(true, true);
    private static final int HOST_PROC = 9;

    /** The program of {@code spec} with the profile {@code isola-test}, as a host with AppArmor plans it. */
    private static List<Step> calls(ContainerSpec spec, List<Integer> kept) {
        AppArmorOnExec appArmor = AppArmorOnExec.of(
                        Security.builder().appArmorProfile("isola-test").build(), ENABLED)
                .through(HOST_PROC);
        return ComposedSteps.of(spec, kept, SecurityPolicy.plan(spec).withExecLabel(appArmor), true);
    }

    @Test
    void theProfileIsWrittenThroughTheHostsProcRightAfterTheInheritedFdsAreClosed() {
        List<Step> calls = calls(ContainerSpec.builder("true").build(), List.of(3, 4));

        int open = indexOf(calls, "open /proc/thread-self/attr/apparmor/exec");
        int write = indexOf(calls, "confine the command with AppArmor profile \"isola-test\"");
        // where exactly 0-2 and the kept fds are open, before any isolator's step: one that left
        // a socket open (rootless lo) made the openat land elsewhere than the write expected
        assertEquals(indexOf(calls, "close inherited file descriptors 10 and above") + 1, open, calls::toString);
        assertEquals(open + 1, write, calls::toString);
        assertTrue(write < indexOf(calls, "install the seccomp filter"), calls::toString);
        assertEquals("openat", calls.get(open).call().symbol());
        assertEquals(HOST_PROC, word(calls.get(open), 0));
        assertEquals(
                new Arg.Text("thread-self/attr/apparmor/exec"),
                calls.get(open).args().get(1));
        // 0-2, the protocol fds 3 and 4 and the host's /proc at 9 are open: the kernel hands out 5
        assertEquals(5, word(calls.get(write), 0));
        assertEquals(
                "exec isola-test",
                new String(((Arg.Bytes) calls.get(write).args().get(1)).value(), StandardCharsets.US_ASCII));
        assertEquals(
                List.of(5L, (long) HOST_PROC), List.of(word(calls.get(write + 1), 0), word(calls.get(write + 2), 0)));
        // close_range spares the host's /proc until then
        assertTrue(calls.stream().anyMatch(s -> s.description().equals("close inherited file descriptors 5-8")));
        assertTrue(
                calls.stream().anyMatch(s -> s.description().equals("close inherited file descriptors 10 and above")));
    }

    @Test
    void withATerminalTheAttributeIsWrittenBeforeTheTerminalsFdsAreOpened() {
        List<Step> calls =
                calls(ContainerSpec.builder("true").with(new Terminal(80, 24)).build(), List.of(3, 4));
        int write = indexOf(calls, "confine the command");
        assertTrue(write < indexOf(calls, "connect stderr to the terminal"), calls::toString);
        assertEquals(5, word(calls.get(write), 0));
    }

    @Test
    void beforeLinux58TheSharedAttributeIsWritten() {
        AppArmorOnExec old = AppArmorOnExec.of(
                Security.builder().appArmorProfile("p").build(), new AppArmorOnExec.Host(true, false));
        assertEquals("thread-self/attr/exec", old.attr());
    }

    @Test
    void withoutAppArmorUnconfinedIsNothingAndAProfileIsRefused() {
        AppArmorOnExec.Host off = new AppArmorOnExec.Host(false, false);
        assertNull(AppArmorOnExec.of(
                Security.builder().appArmorProfile("unconfined").build(), off));
        assertNull(AppArmorOnExec.of(Security.defaults(), off));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> AppArmorOnExec.of(
                        Security.builder().appArmorProfile("docker-default").build(), off));
        assertTrue(
                e.getMessage().startsWith("AppArmor profile \"docker-default\": this host does not enable AppArmor"),
                e.getMessage());
    }

    @Test
    void dockersSecurityOptNamesTheProfile() {
        assertEquals(
                "docker-default",
                Security.builder()
                        .securityOpt("apparmor=docker-default")
                        .build()
                        .appArmorProfile()
                        .orElseThrow());
        for (String bad : new String[] {"apparmor=", "apparmor", "apparmor=a b", "apparmor=x\ny"}) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> Security.builder().securityOpt(bad));
            assertTrue(e.getMessage().contains("apparmor") || e.getMessage().contains("AppArmor"), e.getMessage());
        }
    }
}
