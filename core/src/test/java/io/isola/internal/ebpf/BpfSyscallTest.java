package io.isola.internal.ebpf;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.api.Devices.Rule;
import io.isola.internal.nativ.Fds;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** bpf(2) on the real kernel: the verifier accepts the device filter, and its refusal comes with its log. */
class BpfSyscallTest {

    @BeforeEach
    void root() {
        assumeTrue("root".equals(System.getProperty("user.name")), "loading a cgroup device program needs root");
    }

    @Test
    void theVerifierAcceptsTheDefaultDeviceFilter() throws IOException {
        List<Rule> rules = List.of(
                new Rule(false, 'a', Rule.ANY, Rule.ANY, "rwm"),
                Rule.parse("c *:* m"),
                Rule.parse("b 8:* rw"),
                new Rule(false, 'b', 8, 0, "w"),
                Rule.parse("c 136:* rwm"));
        int fd = BpfSyscall.loadDeviceProgram(DeviceFilterProgram.of(rules), "isola_test");
        assertTrue(fd >= 0);
        Fds.closeQuietly(fd);
    }

    @Test
    void aProgramTheVerifierRefusesIsReportedWithItsLog() {
        // exits without setting r0: the verifier refuses to return an uninitialised register
        EbpfProgram bad = new EbpfProgram()
                .add(EbpfInsn.loadWord(EbpfInsn.R2, EbpfInsn.R1, 0))
                .add(EbpfInsn.exit());
        IOException e = assertThrows(IOException.class, () -> BpfSyscall.loadDeviceProgram(bad, "isola_bad"));
        assertTrue(
                e.getMessage().startsWith("bpf(BPF_PROG_LOAD) of the cgroup device program failed: EACCES"),
                e.getMessage());
        assertTrue(
                e.getMessage().contains("the verifier's log:\n")
                        && e.getMessage().contains("R0 !read_ok"),
                e.getMessage());
    }
}
