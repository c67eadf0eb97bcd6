package io.isola.spi.support;

import io.isola.api.Devices.Rule;
import io.isola.internal.ebpf.BpfSyscall;
import io.isola.internal.ebpf.DeviceFilterProgram;
import io.isola.internal.ebpf.EbpfProgram;
import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.NativeException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Device access on cgroup v2, which has no devices controller: a {@code BPF_PROG_TYPE_CGROUP_DEVICE}
 * program built from device cgroup rules (everything denied, then the rules in order, the last
 * match winning, as runc's filter), checked by the kernel's verifier and attached to a cgroup. The
 * kernel consults it on every {@code open} and {@code mknod} of a device node by a process in the
 * cgroup or below; it needs no controller, so it works on any cgroup2 directory.
 *
 * <p>The program's fd is closed once it is attached: an attached program stays with the cgroup
 * and goes when the cgroup is removed. It is attached with {@code BPF_F_ALLOW_MULTI}, as runc
 * attaches: a program an ancestor holds (a systemd slice's device policy) still runs too, so a
 * container is never given more than its parent allows. Programs the cgroup itself held before
 * (a reused cgroup, an update) are detached once the new one is in place, as runc does, so the
 * cgroup is never without a filter and the new rules are the only ones of its own.
 */
public final class CgroupDeviceFilter {

    private static final Logger LOG = LoggerFactory.getLogger(CgroupDeviceFilter.class);
    private static volatile Boolean supported;

    private CgroupDeviceFilter() {}

    /**
     * Builds the filter of {@code rules} and attaches it to the cgroup2 directory {@code cgroup}.
     *
     * @throws IllegalArgumentException for a rule the kernel's device numbers cannot hold
     * @throws IOException when the kernel refuses the program (the verifier's log in the message)
     *     or the attachment, naming the cgroup
     */
    public static void attach(Path cgroup, List<Rule> rules) throws IOException {
        EbpfProgram program = DeviceFilterProgram.of(rules);
        int cgroupFd;
        try {
            cgroupFd = Fds.open(cgroup.toString(), Fds.O_RDONLY | Fds.O_DIRECTORY, 0);
        } catch (NativeException e) {
            throw new IOException(
                    "cannot open the cgroup " + cgroup + " to attach its device filter: " + e.getMessage(), e);
        }
        int programFd = -1;
        try {
            programFd = BpfSyscall.loadDeviceProgram(program, "isola_devices");
            int[] before = BpfSyscall.attachedDevicePrograms(cgroupFd, cgroup.toString());
            BpfSyscall.attachDevice(cgroupFd, programFd, BpfSyscall.F_ALLOW_MULTI, cgroup.toString());
            for (int id : before) {
                BpfSyscall.detachDevice(cgroupFd, id, cgroup.toString());
            }
            LOG.debug("device filter of {} rules attached to {} ({} replaced)", rules.size(), cgroup, before.length);
        } finally {
            Fds.closeQuietly(programFd);
            Fds.closeQuietly(cgroupFd);
        }
    }

    /**
     * Whether this kernel loads cgroup device programs for this process (a kernel built without
     * {@code CONFIG_CGROUP_BPF}, or a runtime without {@code CAP_BPF} or {@code CAP_SYS_ADMIN},
     * does not): probed once by loading the deny-all program, which is closed unattached.
     */
    public static boolean supported() {
        Boolean known = supported;
        if (known == null) {
            try {
                Fds.closeQuietly(BpfSyscall.loadDeviceProgram(DeviceFilterProgram.of(List.of()), "isola_probe"));
                known = true;
            } catch (IOException e) {
                LOG.info("this kernel will not load a cgroup device filter for us: {}", e.getMessage());
                known = false;
            }
            supported = known;
        }
        return known;
    }

    /** The filter of {@code rules} as the verifier would list it, one instruction a line. */
    public static String listing(List<Rule> rules) {
        return DeviceFilterProgram.of(rules).listing();
    }
}
