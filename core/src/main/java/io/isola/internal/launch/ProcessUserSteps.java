package io.isola.internal.launch;

import io.isola.api.ContainerSpec;
import io.isola.api.ProcessUser;
import io.isola.internal.chain.ChildProgram;
import io.isola.spi.LibcCall;
import io.isola.spi.support.CredentialSteps;

/**
 * The switch to the spec's {@link ProcessUser}, last in the lock-down phase: every isolator's
 * lock-down step before it may still need the capabilities of root (inside the container's user
 * namespace, or on the host without one).
 *
 * <p>Order, and why: ambient capabilities cleared first (they would survive the exec); groups,
 * then gid, then uid, because changing groups and gids needs the capabilities that the uid change
 * takes away; for a uid other than 0, every remaining set (inheritable included) is emptied, so
 * the command starts with no capability at all, unless the spec keeps some for that user (an OCI
 * config's capability sets, as runc keeps them): then the permitted set survives the uid change
 * ({@code PR_SET_KEEPCAPS}, which execve resets) and the security plan sets every set after it.
 *
 * <p>A process that joins a container's user namespace (exec) without a user of its own takes the
 * container's root: it arrives with its host ids, which that namespace may not map (host root
 * under {@code --uidmap 0:SUB:N}, or a rootless user under a subordinate root) and would then be
 * nobody, as runc's exec takes the process's 0:0.
 */
final class ProcessUserSteps {

    private ProcessUserSteps() {}

    private static final int PR_SET_KEEPCAPS = 8;
    private static final ProcessUser ROOT = ProcessUser.of(0, 0);

    static void add(
            ChildProgram.Builder program, ContainerSpec spec, boolean joinsUserNamespace, boolean keepCapabilities) {
        spec.extension(ProcessUser.class)
                .or(() -> joinsUserNamespace ? java.util.Optional.of(ROOT) : java.util.Optional.empty())
                .ifPresent(user -> {
                    program.call(ProgramComposer.CORE, CredentialSteps.clearAmbientCapabilities());
                    if (user.groups().isEmpty()) {
                        // a rootless user namespace with only the user's own id has setgroups denied by
                        // the kernel: the groups the process has are then the only ones it can keep
                        program.call(
                                ProgramComposer.CORE,
                                CredentialSteps.setgroups(user.groups()).tolerating("EPERM"));
                    } else {
                        program.call(ProgramComposer.CORE, CredentialSteps.setgroups(user.groups()));
                    }
                    program.call(ProgramComposer.CORE, CredentialSteps.setresgid(user.gid()));
                    if (keepCapabilities) {
                        program.call(
                                ProgramComposer.CORE,
                                io.isola.spi.Step.call(
                                        "keep the permitted capabilities across the uid change",
                                        LibcCall.PRCTL,
                                        io.isola.spi.Arg.word(PR_SET_KEEPCAPS),
                                        io.isola.spi.Arg.word(1),
                                        io.isola.spi.Arg.word(0),
                                        io.isola.spi.Arg.word(0),
                                        io.isola.spi.Arg.word(0)));
                    }
                    program.call(ProgramComposer.CORE, CredentialSteps.setresuid(user.uid()));
                    if (user.uid() != 0 && !keepCapabilities) {
                        program.call(ProgramComposer.CORE, CredentialSteps.dropAllCapabilities());
                    }
                });
    }
}
