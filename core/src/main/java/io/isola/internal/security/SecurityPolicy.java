package io.isola.internal.security;

import io.isola.api.Capability;
import io.isola.api.CapabilitySets;
import io.isola.api.ContainerSpec;
import io.isola.api.ProcessUser;
import io.isola.api.SeccompProfile;
import io.isola.api.Security;
import io.isola.api.Ulimit;
import io.isola.internal.nativ.Syscalls;
import io.isola.spi.Arg;
import io.isola.spi.LibcCall;
import io.isola.spi.Step;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The built-in lock-down that every container gets, whatever isolators it uses: resource limits,
 * capabilities, {@code no_new_privs} and a seccomp filter, from the spec's {@link Security} (or its
 * defaults). Everything is computed and checked on the host, before anything is created; the child
 * only makes the calls.
 *
 * <p>Order in the child, and why: limits first (lowering needs no capability); with
 * {@code no_new_privs} off, the seccomp filter next, because installing one without it needs
 * CAP_SYS_ADMIN, which the capability steps then drop; the bounding set while the child is root;
 * the switch of ids (ProcessUserSteps); the effective and permitted sets; {@code no_new_privs};
 * with it on, the seccomp filter last before the gate.
 */
public final class SecurityPolicy {

    /** runc's default: a shell's usual 1024 open files. */
    static final Ulimit DEFAULT_NOFILE = new Ulimit("nofile", 1024, 1024);

    private static final int PR_SET_NO_NEW_PRIVS = 38, PR_SET_SECCOMP = 22, SECCOMP_MODE_FILTER = 2;

    /** The system calls the chain makes after installing the filter: the filter must allow them all. */
    private static final List<String> CHAIN_AFTER_SECCOMP =
            List.of("write", "read", "chdir", "prctl", "execve", "exit_group", "rt_sigprocmask");

    private static final List<String> CHAIN_AFTER_EARLY_SECCOMP = List.of("capset");

    private record FilterKey(SeccompProfile profile, Set<Capability> capabilities) {}

    private static final Map<FilterKey, byte[]> FILTERS = new ConcurrentHashMap<>();

    private SecurityPolicy() {}

    /** The lock-down of {@code spec}, in a network namespace of its own. */
    public static SecurityPlan plan(ContainerSpec spec) {
        return plan(spec, false, Syscalls.linux());
    }

    /**
     * The lock-down of {@code spec}; a bad setting is an {@link IllegalArgumentException} naming it.
     * {@code hostNetwork}: the container shares the runtime's network namespace, so it keeps no
     * NET_RAW unless the spec added it (a packet socket there reads the host's loopback traffic;
     * Docker's default set assumes a network namespace of the container's own). A spec's explicit
     * {@link CapabilitySets} (an OCI bundle's) are taken as given. {@code host}: what the runtime's
     * process may do (its limits, its capabilities) and the kernel's facts.
     */
    public static SecurityPlan plan(ContainerSpec spec, boolean hostNetwork, Syscalls host) {
        Security security = Security.of(spec);
        Set<Capability> caps = kept(security, hostNetwork);
        List<Step> beforeIds = new ArrayList<>(limitSteps(security, host));
        List<Step> afterIds = new ArrayList<>();
        List<Step> beforeGate = new ArrayList<>();
        Step seccomp = seccompStep(security, caps, host);
        if (seccomp != null && !security.noNewPrivileges()) {
            beforeIds.add(seccomp);
        }
        CapabilitySets sets = spec.extension(CapabilitySets.class).orElse(null);
        boolean keep = false;
        if (!security.privileged()) {
            beforeIds.addAll(CapabilitySteps.bound(sets != null ? sets.bounding() : caps, host.lastCap()));
            // another uid has lost every capability with the switch (ProcessUserSteps drops the rest),
            // as Docker gives a non-root user none; root keeps the container's set
            boolean root =
                    spec.extension(ProcessUser.class).map(ProcessUser::uid).orElse(0L) == 0;
            // an OCI config's sets for another user are that user's, as runc gives them: kept
            // across the switch of ids (PR_SET_KEEPCAPS) and set exactly after it
            keep = sets != null
                    && !root
                    && !(sets.permitted().isEmpty() && sets.inheritable().isEmpty());
            if (sets != null && (root || keep)) {
                afterIds.add(CapabilitySteps.set(sets.effective(), sets.permitted(), sets.inheritable()));
                afterIds.addAll(CapabilitySteps.ambient(sets.ambient()));
            } else if (root) {
                afterIds.add(CapabilitySteps.set(caps));
            }
        }
        if (security.noNewPrivileges()) {
            afterIds.add(Step.call(
                    "set no_new_privs",
                    LibcCall.PRCTL,
                    Arg.word(PR_SET_NO_NEW_PRIVS),
                    Arg.word(1),
                    Arg.word(0),
                    Arg.word(0),
                    Arg.word(0)));
            if (seccomp != null) {
                beforeGate.add(seccomp);
            }
        }
        return new SecurityPlan(beforeIds, afterIds, beforeGate, keep, ExecLabel.of(security));
    }

    /** The capabilities the process keeps: the spec's, less NET_RAW on the host's network unless added. */
    private static Set<Capability> kept(Security security, boolean hostNetwork) {
        Set<Capability> caps = security.capabilities();
        if (!hostNetwork
                || !caps.contains(Capability.NET_RAW)
                || security.added().contains(Capability.NET_RAW)) {
            return caps;
        }
        Set<Capability> without = EnumSet.copyOf(caps);
        without.remove(Capability.NET_RAW);
        // in the capabilities' order: the step's description names them (Set.copyOf's order changes with each JVM)
        return Collections.unmodifiableSet(without);
    }

    /** The default limits, overridden by the spec's, each one a setrlimit. */
    private static List<Step> limitSteps(Security security, Syscalls host) {
        Map<String, Ulimit> limits = new LinkedHashMap<>();
        long hostNofile = host.hardLimit(DEFAULT_NOFILE.resource());
        limits.put(
                "nofile",
                hostNofile >= 0 && hostNofile < DEFAULT_NOFILE.hard()
                        ? new Ulimit("nofile", hostNofile, hostNofile)
                        : DEFAULT_NOFILE); // only lowering is always allowed
        limits.putAll(security.ulimits());
        boolean canRaise = host.hasEffectiveCapability(Capability.SYS_RESOURCE.number());
        List<Step> steps = new ArrayList<>();
        for (Ulimit limit : limits.values()) {
            long hostHard = host.hardLimit(limit.resource());
            if (!canRaise && hostHard != Ulimit.UNLIMITED && Long.compareUnsigned(limit.hard(), hostHard) > 0) {
                throw new IllegalArgumentException(
                        "ulimit \"" + limit + "\": the hard limit is above this host's " + hostHard
                                + ", and the runtime lacks CAP_SYS_RESOURCE to raise it; expected at most " + hostHard);
            }
            byte[] rlimit = ByteBuffer.allocate(16)
                    .order(ByteOrder.nativeOrder())
                    .putLong(limit.soft())
                    .putLong(limit.hard())
                    .array();
            steps.add(Step.call(
                    "set the resource limit " + limit,
                    LibcCall.SETRLIMIT,
                    Arg.word(limit.resource()),
                    new Arg.Bytes(rlimit)));
        }
        return steps;
    }

    private static Step seccompStep(Security security, Set<Capability> caps, Syscalls host) {
        SeccompProfile profile = switch (security.seccomp()) {
            case UNCONFINED -> null;
            case DEFAULT -> DefaultSeccompProfile.get();
            case PROFILE -> security.profile().orElseThrow();
        };
        if (profile == null) {
            return null;
        }
        LastSeccompStep last = lastSeccompStep;
        if (last != null
                && last.profile() == profile
                && last.capabilities().equals(caps)
                && last.noNewPrivileges() == security.noNewPrivileges()) {
            return last.step();
        }
        byte[] filter = filter(profile, security, caps, host);
        // struct sock_fprog: unsigned short len, padding, struct sock_filter *filter
        byte[] fprog = ByteBuffer.allocate(16)
                .order(ByteOrder.nativeOrder())
                .putShort((short) (filter.length / 8))
                .array();
        Step step = Step.call(
                "install the seccomp filter (" + profile.source() + ")",
                LibcCall.PRCTL,
                Arg.word(PR_SET_SECCOMP),
                Arg.word(SECCOMP_MODE_FILTER),
                new Arg.Linked(fprog, 8, filter),
                Arg.word(0),
                Arg.word(0));
        lastSeccompStep = new LastSeccompStep(profile, Set.copyOf(caps), security.noNewPrivileges(), step);
        return step;
    }

    /**
     * The step of the last profile used, by identity: most containers share the default profile, and
     * looking a profile up in {@link #FILTERS} hashes all of its rules, and the step copies the
     * filter; both cost a launch more than the rest of the lock-down's planning.
     */
    private record LastSeccompStep(
            SeccompProfile profile, Set<Capability> capabilities, boolean noNewPrivileges, Step step) {}

    private static volatile LastSeccompStep lastSeccompStep;

    /** The compiled filter, checked to let the rest of the chain through; cached, as most containers share one. */
    static byte[] filter(SeccompProfile profile, Security security, Set<Capability> caps, Syscalls host) {
        FilterKey key = new FilterKey(profile, caps);
        byte[] cached = FILTERS.get(key);
        if (cached != null) {
            return cached;
        }
        byte[] filter = new SeccompCompiler(caps, host.kernelRelease()).compile(profile);
        List<String> needed = new ArrayList<>(CHAIN_AFTER_SECCOMP);
        if (!security.noNewPrivileges()) {
            needed.addAll(CHAIN_AFTER_EARLY_SECCOMP);
        }
        // libseccomp's program checked on the host, before anything starts, by BPF read back
        BpfInterpreter interpreter = new BpfInterpreter(filter);
        for (String name : needed) {
            int nr = SeccompLibrary.number(name)
                    .orElseThrow(() -> new IllegalStateException("libseccomp does not know " + name));
            int verdict = interpreter.run(SeccompArch.host().auditArch(), nr);
            if (verdict != SeccompCompiler.RET_ALLOW && verdict != SeccompCompiler.RET_LOG) {
                throw new IllegalArgumentException("seccomp profile \"" + profile.source() + "\": denies " + name
                        + ", which the container needs to start; a profile must allow " + String.join(", ", needed));
            }
        }
        if (FILTERS.size() > 64) {
            FILTERS.clear(); // a bound, not a policy: profiles rarely vary
        }
        FILTERS.put(key, filter);
        return filter;
    }
}
