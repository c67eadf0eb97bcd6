package io.isola.internal.security;

import io.isola.api.Capability;
import io.isola.api.SeccompProfile;
import io.isola.api.SeccompProfile.Action;
import io.isola.api.SeccompProfile.Condition;
import io.isola.api.SeccompProfile.Rule;
import java.util.OptionalInt;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiles a {@link SeccompProfile} into a classic BPF filter for one container on this host's
 * architecture, with libseccomp, as runc, crun and youki do.
 *
 * <p>Here the profile is resolved for the container (capabilities, architectures, kernel
 * version, as Docker does); libseccomp turns the rules into BPF. The filter: a system call of
 * another architecture (a 32-bit binary's {@code int 0x80}) kills the process, because the
 * numbers only mean something for this one; an x32 call gets ENOSYS, and, when the default is to
 * deny, so does a number newer than libseccomp knows ({@link EnosysPrefix}); every other call
 * gets its rule's action or the profile's default.
 */
public final class SeccompCompiler {

    private static final Logger LOG = LoggerFactory.getLogger(SeccompCompiler.class);

    public static final int RET_KILL_PROCESS = 0x80000000,
            RET_KILL_THREAD = 0,
            RET_TRAP = 0x00030000,
            RET_ERRNO = 0x00050000,
            RET_TRACE = 0x7ff00000,
            RET_LOG = 0x7ffc0000,
            RET_ALLOW = 0x7fff0000;
    static final int ENOSYS = 38;

    private final SeccompArch arch = SeccompArch.host();
    private final Set<Capability> capabilities;
    private final String kernelRelease;

    /**
     * @param capabilities the container's capabilities, for the rules' includes and excludes
     * @param kernelRelease the running kernel's release ({@code "6.1.0-18-amd64"}), for minKernel
     */
    public SeccompCompiler(Set<Capability> capabilities, String kernelRelease) {
        this.capabilities = capabilities;
        this.kernelRelease = kernelRelease;
    }

    /** The filter as {@code struct sock_filter[]}. */
    public byte[] compile(SeccompProfile profile) {
        checkArchitecture(profile);
        boolean denyByDefault = profile.defaultAction() != Action.ALLOW && profile.defaultAction() != Action.LOG;
        byte[] program;
        int rules = 0;
        try (SeccompLibrary filter =
                new SeccompLibrary(verdict(profile.defaultAction(), profile.defaultErrno()), RET_KILL_PROCESS)) {
            for (Rule rule : profile.rules()) {
                if (!applies(rule)) {
                    continue;
                }
                int action = verdict(rule.action(), rule.errno());
                for (String name : rule.names()) {
                    OptionalInt nr = SeccompLibrary.number(name);
                    if (nr.isEmpty()) {
                        LOG.debug(
                                "seccomp profile {}: no system call {} on {}, rule ignored",
                                profile.source(),
                                name,
                                arch);
                    } else if (filter.add(action, nr.getAsInt(), name, rule.conditions())) {
                        rules++;
                    }
                }
            }
            program = filter.export();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("seccomp profile \"" + profile.source() + "\": " + e.getMessage(), e);
        }
        byte[] filter = EnosysPrefix.prepend(arch, denyByDefault ? SeccompLibrary.highestNumber() : -1, program);
        LOG.debug("seccomp filter from {}: {} rules, {} instructions", profile.source(), rules, filter.length / 8);
        return filter;
    }

    private boolean applies(Rule rule) {
        if (!capabilities.containsAll(rule.includeCaps())) {
            return false;
        }
        if (rule.excludeCaps().stream().anyMatch(capabilities::contains)) {
            return false;
        }
        if (!rule.includeArches().isEmpty() && !rule.includeArches().contains(arch.goName())) {
            return false;
        }
        if (rule.excludeArches().contains(arch.goName())) {
            return false;
        }
        if (rule.conditions().stream().anyMatch(SeccompCompiler::neverHolds)) {
            return false;
        }
        return rule.minKernel() == null || compareVersions(kernelRelease, rule.minKernel()) >= 0;
    }

    /**
     * A MASKED_EQ whose value has bits outside its mask: no argument matches it. libseccomp masks
     * the value first and would match where the profile says nothing can, so the rule is left out.
     */
    private static boolean neverHolds(Condition c) {
        return c.op() == SeccompProfile.Op.MASKED_EQ && (c.valueTwo() & ~c.value()) != 0;
    }

    private void checkArchitecture(SeccompProfile profile) {
        if (!profile.architectures().isEmpty() && !profile.architectures().contains(arch.scmpName())) {
            throw new IllegalArgumentException("seccomp profile \"" + profile.source() + "\": architectures "
                    + profile.architectures() + " do not include this host's " + arch.scmpName());
        }
    }

    /** libseccomp's SCMP_ACT_* values are the kernel's SECCOMP_RET_* ones. */
    static int verdict(Action action, int errno) {
        return switch (action) {
            case ALLOW -> RET_ALLOW;
            case ERRNO -> RET_ERRNO | (errno & 0xffff);
            case KILL_THREAD -> RET_KILL_THREAD;
            case KILL_PROCESS -> RET_KILL_PROCESS;
            case TRAP -> RET_TRAP;
            case TRACE -> RET_TRACE | (errno & 0xffff);
            case LOG -> RET_LOG;
        };
    }

    /** Compares dotted versions numerically; the release's suffix after the numbers is ignored. */
    static int compareVersions(String release, String minimum) {
        String[] have = release.replaceFirst("^(\\d+(\\.\\d+)*).*$", "$1").split("\\.");
        String[] want = minimum.split("\\.");
        for (int i = 0; i < Math.max(have.length, want.length); i++) {
            int h = i < have.length && !have[i].isEmpty() ? Integer.parseInt(have[i]) : 0;
            int w = i < want.length ? Integer.parseInt(want[i]) : 0;
            if (h != w) {
                return Integer.compare(h, w);
            }
        }
        return 0;
    }
}
