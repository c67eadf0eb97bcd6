package io.isola.api;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * Spec extension: the five capability sets of the container's process, each given separately, as
 * an OCI config.json's {@code process.capabilities} does. Without it the process gets {@link
 * Security#capabilities()} as its bounding, effective and permitted sets and empty inheritable and
 * ambient sets. A privileged {@link Security} ignores it and keeps every capability.
 *
 * <p>The kernel's rules are checked here, so that a set the kernel would refuse is refused before
 * anything is created: effective within permitted, and ambient within both permitted and
 * inheritable.
 */
public record CapabilitySets(
        Set<Capability> bounding,
        Set<Capability> effective,
        Set<Capability> permitted,
        Set<Capability> inheritable,
        Set<Capability> ambient) {

    public CapabilitySets {
        bounding = copy(bounding);
        effective = copy(effective);
        permitted = copy(permitted);
        inheritable = copy(inheritable);
        ambient = copy(ambient);
        for (Capability cap : effective) {
            if (!permitted.contains(cap)) {
                throw new IllegalArgumentException("effective capability " + cap.capName()
                        + ": not in the permitted set; expected every effective capability to be permitted");
            }
        }
        for (Capability cap : ambient) {
            if (!permitted.contains(cap) || !inheritable.contains(cap)) {
                throw new IllegalArgumentException("ambient capability " + cap.capName()
                        + ": expected it in both the permitted and the inheritable set, as the kernel requires");
            }
        }
    }

    private static Set<Capability> copy(Set<Capability> set) {
        EnumSet<Capability> copy = EnumSet.noneOf(Capability.class);
        if (set != null) {
            copy.addAll(set);
        }
        return Collections.unmodifiableSet(copy);
    }
}
