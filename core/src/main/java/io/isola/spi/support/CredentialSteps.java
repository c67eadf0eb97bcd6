package io.isola.spi.support;

import io.isola.internal.nativ.CapabilityHeader;
import io.isola.internal.nativ.SyscallNumbers;
import io.isola.spi.Arg;
import io.isola.spi.LibcCall;
import io.isola.spi.Step;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Steps that change the child's ids and capabilities.
 *
 * <p>The id changes are raw system calls on purpose: glibc's {@code setresuid}, {@code setresgid}
 * and {@code setgroups} wrappers, in a multithreaded process, signal every other thread to take
 * the new ids too. The vfork-style child shares the JVM's memory and glibc's thread list, so a
 * wrapper would change the ids of the JVM's own threads. The system call changes only the caller.
 */
public final class CredentialSteps {

    private static final long PR_CAP_AMBIENT = 47, PR_CAP_AMBIENT_CLEAR_ALL = 4;

    private CredentialSteps() {}

    /** setresuid(uid, uid, uid). */
    public static Step setresuid(long uid) {
        return Step.call(
                "set the user ids to " + uid,
                LibcCall.SYSCALL,
                Arg.word(SyscallNumbers.SETRESUID),
                Arg.word(uid),
                Arg.word(uid),
                Arg.word(uid));
    }

    /** setresgid(gid, gid, gid). */
    public static Step setresgid(long gid) {
        return Step.call(
                "set the group ids to " + gid,
                LibcCall.SYSCALL,
                Arg.word(SyscallNumbers.SETRESGID),
                Arg.word(gid),
                Arg.word(gid),
                Arg.word(gid));
    }

    /** setgroups(groups), replacing every supplementary group; an empty list drops them all. */
    public static Step setgroups(List<Long> groups) {
        ByteBuffer gids = ByteBuffer.allocate(Math.max(4, 4 * groups.size())).order(ByteOrder.nativeOrder());
        groups.forEach(gid -> gids.putInt((int) (long) gid));
        String description =
                groups.isEmpty() ? "drop the supplementary groups" : "set the supplementary groups to " + groups;
        return Step.call(
                description,
                LibcCall.SYSCALL,
                Arg.word(SyscallNumbers.SETGROUPS),
                Arg.word(groups.size()),
                groups.isEmpty() ? Arg.NULL : new Arg.Bytes(gids.array()));
    }

    /** Clears the ambient capability set, which would otherwise survive the exec of the command. */
    public static Step clearAmbientCapabilities() {
        return Step.call(
                "clear the ambient capabilities",
                LibcCall.PRCTL,
                Arg.word(PR_CAP_AMBIENT),
                Arg.word(PR_CAP_AMBIENT_CLEAR_ALL),
                Arg.word(0),
                Arg.word(0),
                Arg.word(0));
    }

    /**
     * capset with every set empty: effective, permitted and inheritable. Only lowering, so it needs
     * no privilege; after it, nothing but a file capability can give the command a capability.
     */
    public static Step dropAllCapabilities() {
        return Step.call(
                "drop every capability",
                LibcCall.CAPSET,
                new Arg.Bytes(CapabilityHeader.bytes()),
                new Arg.Bytes(new byte[2 * CapabilityHeader.DATA_BYTES]));
    }
}
