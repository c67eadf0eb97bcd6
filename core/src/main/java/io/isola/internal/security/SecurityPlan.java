package io.isola.internal.security;

import io.isola.spi.Step;
import java.util.List;

/**
 * The lock-down of one container, as steps of the child.
 *
 * @param lockdown run at the end of the LOCKDOWN phase, after the isolators' steps there (ids are
 *     set before capabilities are dropped): limits, capabilities, no_new_privs
 * @param beforeGate run after the PROCESS phase, just before the working directory and the gate: the
 *     seccomp filter, last, so that it restricts nothing the setup needs
 */
public record SecurityPlan(List<Step> lockdown, List<Step> beforeGate) {

    public static final String OWNER = "security";

    public SecurityPlan {
        lockdown = List.copyOf(lockdown);
        beforeGate = List.copyOf(beforeGate);
    }
}
