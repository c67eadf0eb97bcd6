package io.isola.internal.security;

import io.isola.spi.Step;
import java.util.List;

/**
 * The lock-down of one container, as steps of the child, placed around the switch to the spec's
 * user at the end of the LOCKDOWN phase.
 *
 * @param beforeIds while the child is still root: limits, the bounding set (dropping from it needs
 *     CAP_SETPCAP, which a switch to another uid takes away), the ambient set
 * @param afterIds once the ids are set: the effective and permitted capabilities, no_new_privs
 * @param beforeGate after the PROCESS phase, just before the working directory and the gate: the
 *     seccomp filter, last, so that it restricts nothing the setup needs
 * @param keepCapabilities whether a user other than root keeps capabilities (an OCI config's sets):
 *     the switch of ids keeps the permitted set, and {@code afterIds} set every set exactly
 * @param execLabel the AppArmor profile or SELinux context of the command, null for none: its steps
 *     come right after the inherited fds are closed (see ProgramComposer)
 */
public record SecurityPlan(
        List<Step> beforeIds,
        List<Step> afterIds,
        List<Step> beforeGate,
        boolean keepCapabilities,
        ExecLabel execLabel) {

    public static final String OWNER = "security";

    public SecurityPlan {
        beforeIds = List.copyOf(beforeIds);
        afterIds = List.copyOf(afterIds);
        beforeGate = List.copyOf(beforeGate);
    }

    /** Without a label. */
    public SecurityPlan(List<Step> beforeIds, List<Step> afterIds, List<Step> beforeGate, boolean keepCapabilities) {
        this(beforeIds, afterIds, beforeGate, keepCapabilities, null);
    }

    /** This plan with {@code value} as its label. */
    public SecurityPlan withExecLabel(ExecLabel value) {
        return new SecurityPlan(beforeIds, afterIds, beforeGate, keepCapabilities, value);
    }
}
