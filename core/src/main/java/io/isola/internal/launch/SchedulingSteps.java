package io.isola.internal.launch;

import io.isola.api.ProcessScheduling;
import io.isola.internal.nativ.SyscallNumbers;
import io.isola.spi.Arg;
import io.isola.spi.LibcCall;
import io.isola.spi.Step;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The steps that set {@link ProcessScheduling}: personality(2), ioprio_set(2) and sched_setattr(2),
 * in the lock-down phase while the child is still root (CAP_SYS_NICE for a real-time policy, a
 * negative nice value or the real-time I/O class), as runc's init sets them.
 */
final class SchedulingSteps {

    private static final int IOPRIO_WHO_PROCESS = 1, IOPRIO_CLASS_SHIFT = 13;
    /** SCHED_ATTR_SIZE_VER0: size, policy, flags, nice, priority, runtime, deadline, period. */
    private static final int SCHED_ATTR_SIZE = 48;

    private SchedulingSteps() {}

    static List<Step> of(ProcessScheduling scheduling) {
        List<Step> steps = new ArrayList<>();
        if (scheduling.personality() != null) {
            String domain = scheduling.personality().domain();
            steps.add(Step.call(
                    "set the execution domain " + domain,
                    LibcCall.PERSONALITY,
                    Arg.word(ProcessScheduling.DOMAINS.get(domain))));
        }
        if (scheduling.ioPriority() != null) {
            ProcessScheduling.IoPriority io = scheduling.ioPriority();
            long value = ((long) ProcessScheduling.IO_CLASSES.get(io.ioClass()) << IOPRIO_CLASS_SHIFT) | io.level();
            steps.add(Step.call(
                    "set the I/O priority " + io.ioClass() + " " + io.level(),
                    LibcCall.SYSCALL,
                    Arg.word(SyscallNumbers.IOPRIO_SET),
                    Arg.word(IOPRIO_WHO_PROCESS),
                    Arg.word(0),
                    Arg.word(value)));
        }
        if (scheduling.scheduler() != null) {
            ProcessScheduling.Scheduler s = scheduling.scheduler();
            long flags = 0;
            for (String flag : s.flags()) {
                flags |= ProcessScheduling.SCHEDULER_FLAGS.get(flag);
            }
            byte[] attr = ByteBuffer.allocate(SCHED_ATTR_SIZE)
                    .order(ByteOrder.nativeOrder())
                    .putInt(SCHED_ATTR_SIZE)
                    .putInt(ProcessScheduling.POLICIES.get(s.policy()))
                    .putLong(flags)
                    .putInt(s.nice())
                    .putInt(s.priority())
                    .putLong(s.runtime())
                    .putLong(s.deadline())
                    .putLong(s.period())
                    .array();
            steps.add(Step.call(
                    "set the scheduling policy " + s.policy(),
                    LibcCall.SYSCALL,
                    Arg.word(SyscallNumbers.SCHED_SETATTR),
                    Arg.word(0),
                    new Arg.Bytes(attr),
                    Arg.word(0)));
        }
        return steps;
    }
}
