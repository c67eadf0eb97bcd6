package io.isola.internal.security;

import io.isola.api.Capability;
import io.isola.internal.nativ.CapabilityHeader;
import io.isola.spi.Arg;
import io.isola.spi.LibcCall;
import io.isola.spi.Step;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The steps that reduce the child's capabilities to a set: every other capability leaves the
 * bounding set (one prctl each, up to the kernel's last), the ambient set is cleared, and capset
 * makes the set the effective and permitted ones.
 *
 * <p>Order matters: PR_CAPBSET_DROP needs CAP_SETPCAP in the effective set, so the bounding set goes
 * first, while the child still has every capability, before any switch to another user. The inheritable set is left empty, as runc and
 * Docker do since CVE-2022-24769: a non-empty one lets a program with file capabilities gain them.
 */
final class CapabilitySteps {

    private static final int PR_CAPBSET_DROP = 24,
            PR_CAP_AMBIENT = 47,
            PR_CAP_AMBIENT_CLEAR_ALL = 4,
            PR_CAP_AMBIENT_RAISE = 2;

    private CapabilitySteps() {}

    private record BoundKey(Set<Capability> kept, int lastCap) {}

    /**
     * The steps of {@link #bound} by the kept set: steps are immutable and most containers keep the
     * same set, and building the ~30 steps cost a launch more than half a millisecond until the JIT
     * had compiled it. Bounded, not a policy.
     */
    private static final Map<BoundKey, List<Step>> BOUND = new ConcurrentHashMap<>();

    /** The bounding and ambient sets: while the child still has CAP_SETPCAP. */
    static List<Step> bound(Set<Capability> kept, int lastCap) {
        BoundKey key = new BoundKey(kept, lastCap);
        List<Step> steps = BOUND.get(key);
        if (steps == null) {
            if (BOUND.size() >= 64) {
                BOUND.clear();
            }
            Set<Capability> copy = Set.copyOf(kept);
            steps = buildBound(copy, lastCap);
            BOUND.put(new BoundKey(copy, lastCap), steps);
        }
        return steps;
    }

    private static List<Step> buildBound(Set<Capability> kept, int lastCap) {
        List<Step> steps = new ArrayList<>();
        for (int cap = 0; cap <= lastCap; cap++) {
            if (!keeps(kept, cap)) {
                steps.add(Step.call(
                        "drop " + name(cap) + " from the bounding set",
                        LibcCall.PRCTL,
                        Arg.word(PR_CAPBSET_DROP),
                        Arg.word(cap),
                        Arg.word(0),
                        Arg.word(0),
                        Arg.word(0)));
            }
        }
        // EINVAL: a kernel before 4.3 has no ambient capabilities, so there is nothing to clear
        steps.add(Step.call(
                        "clear the ambient capabilities",
                        LibcCall.PRCTL,
                        Arg.word(PR_CAP_AMBIENT),
                        Arg.word(PR_CAP_AMBIENT_CLEAR_ALL),
                        Arg.word(0),
                        Arg.word(0),
                        Arg.word(0))
                .tolerating("EINVAL"));
        return List.copyOf(steps);
    }

    /** The effective and permitted sets, for a process that is still root (only lowering). */
    static Step set(Set<Capability> kept) {
        return Step.call(
                "set the effective and permitted capabilities to " + kept,
                LibcCall.CAPSET,
                new Arg.Bytes(header()),
                new Arg.Bytes(data(kept)));
    }

    /** The effective, permitted and inheritable sets each given (an OCI config.json's), for a process that is still root. */
    static Step set(Set<Capability> effective, Set<Capability> permitted, Set<Capability> inheritable) {
        return Step.call(
                "set the capabilities to effective " + effective + ", permitted " + permitted + ", inheritable "
                        + inheritable,
                LibcCall.CAPSET,
                new Arg.Bytes(header()),
                new Arg.Bytes(data(effective, permitted, inheritable)));
    }

    /** Raises each ambient capability; the kernel wants it permitted and inheritable already (capset first). */
    static List<Step> ambient(Set<Capability> ambient) {
        List<Step> steps = new ArrayList<>();
        for (Capability cap : ambient) {
            steps.add(Step.call(
                    "raise " + cap.capName() + " in the ambient set",
                    LibcCall.PRCTL,
                    Arg.word(PR_CAP_AMBIENT),
                    Arg.word(PR_CAP_AMBIENT_RAISE),
                    Arg.word(cap.number()),
                    Arg.word(0),
                    Arg.word(0)));
        }
        return steps;
    }

    private static boolean keeps(Set<Capability> kept, int cap) {
        return cap <= Capability.lastKnown() && kept.contains(Capability.values()[cap]);
    }

    private static String name(int cap) {
        return cap <= Capability.lastKnown() ? Capability.values()[cap].capName() : "capability " + cap;
    }

    static byte[] header() {
        return CapabilityHeader.bytes();
    }

    /** Two struct __user_cap_data_struct (capabilities 0-31, then 32-63): effective, permitted, inheritable. */
    static byte[] data(Set<Capability> kept) {
        long mask = mask(kept);
        ByteBuffer data = ByteBuffer.allocate(24).order(ByteOrder.nativeOrder());
        for (int half = 0; half < 2; half++) {
            int bits = (int) (mask >>> (32 * half));
            data.putInt(bits).putInt(bits).putInt(0);
        }
        return data.array();
    }

    static byte[] data(Set<Capability> effective, Set<Capability> permitted, Set<Capability> inheritable) {
        long e = mask(effective), p = mask(permitted), i = mask(inheritable);
        ByteBuffer data = ByteBuffer.allocate(24).order(ByteOrder.nativeOrder());
        for (int half = 0; half < 2; half++) {
            int shift = 32 * half;
            data.putInt((int) (e >>> shift)).putInt((int) (p >>> shift)).putInt((int) (i >>> shift));
        }
        return data.array();
    }

    static long mask(Set<Capability> caps) {
        long mask = 0;
        for (Capability cap : caps) {
            mask |= 1L << cap.number();
        }
        return mask;
    }
}
