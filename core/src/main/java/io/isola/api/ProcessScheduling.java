package io.isola.api;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Spec extension: how the kernel schedules the container's process, as an OCI config.json's
 * {@code process.scheduler}, {@code process.ioPriority} and {@code linux.personality} set them.
 * Set while the process is still root (a real-time policy or a negative nice value takes
 * CAP_SYS_NICE); inherited by everything it starts.
 *
 * @param scheduler sched_setattr(2)'s attributes, or null to inherit the runtime's
 * @param ioPriority ioprio_set(2)'s class and level, or null to inherit
 * @param personality personality(2)'s execution domain, or null to inherit
 */
public record ProcessScheduling(Scheduler scheduler, IoPriority ioPriority, Personality personality) {

    /** sched_setattr(2)'s policies by the names OCI gives them. */
    public static final Map<String, Integer> POLICIES = Map.of(
            "SCHED_OTHER",
            0,
            "SCHED_FIFO",
            1,
            "SCHED_RR",
            2,
            "SCHED_BATCH",
            3,
            "SCHED_ISO",
            4,
            "SCHED_IDLE",
            5,
            "SCHED_DEADLINE",
            6);
    /** sched_attr's flags by name. */
    public static final Map<String, Long> SCHEDULER_FLAGS = Map.of(
            "SCHED_FLAG_RESET_ON_FORK",
            0x01L,
            "SCHED_FLAG_RECLAIM",
            0x02L,
            "SCHED_FLAG_DL_OVERRUN",
            0x04L,
            "SCHED_FLAG_KEEP_POLICY",
            0x08L,
            "SCHED_FLAG_KEEP_PARAMS",
            0x10L,
            "SCHED_FLAG_UTIL_CLAMP_MIN",
            0x20L,
            "SCHED_FLAG_UTIL_CLAMP_MAX",
            0x40L);
    /** ioprio classes by name. */
    public static final Map<String, Integer> IO_CLASSES =
            Map.of("IOPRIO_CLASS_RT", 1, "IOPRIO_CLASS_BE", 2, "IOPRIO_CLASS_IDLE", 3);
    /** personality(2)'s domains by OCI's names: PER_LINUX and PER_LINUX32. */
    public static final Map<String, Long> DOMAINS = Map.of("LINUX", 0x0000L, "LINUX32", 0x0008L);

    /** sched_attr: a policy of {@link #POLICIES}, and what the policy takes. */
    public record Scheduler(
            String policy, int nice, int priority, List<String> flags, long runtime, long deadline, long period) {
        public Scheduler {
            if (!POLICIES.containsKey(policy)) {
                throw new IllegalArgumentException(
                        "scheduler policy \"" + policy + "\": expected one of " + new TreeSet<>(POLICIES.keySet()));
            }
            if (nice < -20 || nice > 19) {
                throw new IllegalArgumentException("nice " + nice + ": expected -20 to 19");
            }
            if (priority < 0 || priority > 99) {
                throw new IllegalArgumentException("scheduler priority " + priority + ": expected 0 to 99");
            }
            flags = List.copyOf(flags);
            for (String flag : flags) {
                if (!SCHEDULER_FLAGS.containsKey(flag)) {
                    throw new IllegalArgumentException("scheduler flag \"" + flag + "\": expected one of "
                            + new TreeSet<>(SCHEDULER_FLAGS.keySet()));
                }
            }
        }
    }

    /** The I/O class of {@link #IO_CLASSES} and its level (0, the highest, to 7). */
    public record IoPriority(String ioClass, int level) {
        public IoPriority {
            if (!IO_CLASSES.containsKey(ioClass)) {
                throw new IllegalArgumentException("I/O priority class \"" + ioClass + "\": expected one of "
                        + new TreeSet<>(IO_CLASSES.keySet()));
            }
            if (level < 0 || level > 7) {
                throw new IllegalArgumentException("I/O priority " + level + ": expected 0 to 7");
            }
        }
    }

    /** An execution domain of {@link #DOMAINS}. */
    public record Personality(String domain) {
        public Personality {
            if (!DOMAINS.containsKey(domain)) {
                throw new IllegalArgumentException("personality domain \"" + domain + "\": expected LINUX or LINUX32");
            }
        }
    }
}
