package io.isola.internal.security;

import io.isola.api.Capability;
import io.isola.api.SeccompProfile;
import io.isola.api.SeccompProfile.Action;
import io.isola.api.SeccompProfile.Condition;
import io.isola.api.SeccompProfile.Op;
import io.isola.api.SeccompProfile.Rule;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * isola's default seccomp profile, modelled on Docker's: an allow-list, EPERM for every other
 * known system call, and the calls that only make sense with a capability allowed when the
 * container keeps it (so that {@code --cap-add SYS_ADMIN} lets {@code mount} through, as in
 * Docker).
 */
public final class DefaultSeccompProfile {

    /** The namespace flags of clone(2): without CAP_SYS_ADMIN, clone may create no namespace. */
    private static final long CLONE_NAMESPACE_FLAGS = 0x7E020000L;
    private static final int AF_VSOCK = 40;

    private static final SeccompProfile PROFILE = build();

    private DefaultSeccompProfile() {}

    public static SeccompProfile get() {
        return PROFILE;
    }

    private static SeccompProfile build() {
        List<Rule> rules = new ArrayList<>();
        rules.add(allow(readAllowList()));
        rules.add(new Rule(List.of("socket"), Action.ALLOW, 0, List.of(new Condition(0, Op.NE, AF_VSOCK, 0)),
                Set.of(), Set.of(), List.of(), List.of(), null));
        for (long persona : new long[] {0x0, 0x8, 0x20000, 0x20008, 0xffffffffL}) { // the personalities Docker allows
            rules.add(new Rule(List.of("personality"), Action.ALLOW, 0, List.of(new Condition(0, Op.EQ, persona, 0)),
                    Set.of(), Set.of(), List.of(), List.of(), null));
        }
        rules.add(new Rule(List.of("process_vm_readv", "process_vm_writev", "ptrace"), Action.ALLOW, 0, List.of(),
                Set.of(), Set.of(), List.of(), List.of(), "4.8")); // the kernel checks ptrace access since 4.8
        rules.add(withCaps(Set.of(Capability.SYS_ADMIN), "bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount",
                "fsopen", "fspick", "lookup_dcookie", "mount", "mount_setattr", "move_mount", "open_tree",
                "perf_event_open", "quotactl", "quotactl_fd", "setdomainname", "sethostname", "setns", "syslog",
                "umount", "umount2", "unshare"));
        rules.add(new Rule(List.of("clone"), Action.ALLOW, 0,
                List.of(new Condition(0, Op.MASKED_EQ, CLONE_NAMESPACE_FLAGS, 0)),
                Set.of(), Set.of(Capability.SYS_ADMIN), List.of(), List.of(), null));
        // ENOSYS, not EPERM: glibc then falls back to clone, where the flags can be checked
        rules.add(new Rule(List.of("clone3"), Action.ERRNO, SeccompCompiler.ENOSYS, List.of(),
                Set.of(), Set.of(Capability.SYS_ADMIN), List.of(), List.of(), null));
        rules.add(withCaps(Set.of(Capability.DAC_READ_SEARCH), "open_by_handle_at"));
        rules.add(withCaps(Set.of(Capability.SYS_BOOT), "reboot"));
        rules.add(withCaps(Set.of(Capability.SYS_CHROOT), "chroot"));
        rules.add(withCaps(Set.of(Capability.SYS_MODULE), "delete_module", "init_module", "finit_module"));
        rules.add(withCaps(Set.of(Capability.SYS_PACCT), "acct"));
        rules.add(withCaps(Set.of(Capability.SYS_PTRACE), "kcmp", "pidfd_getfd", "process_madvise",
                "process_vm_readv", "process_vm_writev", "ptrace"));
        rules.add(withCaps(Set.of(Capability.SYS_RAWIO), "iopl", "ioperm"));
        rules.add(withCaps(Set.of(Capability.SYS_TIME), "settimeofday", "stime", "clock_settime"));
        rules.add(withCaps(Set.of(Capability.SYS_TTY_CONFIG), "vhangup"));
        rules.add(withCaps(Set.of(Capability.SYS_NICE), "get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"));
        rules.add(withCaps(Set.of(Capability.SYSLOG), "syslog"));
        rules.add(withCaps(Set.of(Capability.BPF), "bpf"));
        rules.add(withCaps(Set.of(Capability.PERFMON), "perf_event_open"));
        return new SeccompProfile("isola's default profile", Action.ERRNO, SeccompProfile.EPERM, List.of(), rules);
    }

    private static Rule allow(List<String> names) {
        return Rule.of(Action.ALLOW, 0, names);
    }

    private static Rule withCaps(Set<Capability> caps, String... names) {
        return new Rule(List.of(names), Action.ALLOW, 0, List.of(), caps, Set.of(), List.of(), List.of(), null);
    }

    private static List<String> readAllowList() {
        List<String> names = new ArrayList<>();
        try (InputStream in = DefaultSeccompProfile.class.getResourceAsStream("default-seccomp-allow.txt")) {
            if (in == null) {
                throw new IllegalStateException("missing resource default-seccomp-allow.txt");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = reader.readLine()) != null;) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    names.addAll(List.of(line.trim().split("\\s+")));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }
}
