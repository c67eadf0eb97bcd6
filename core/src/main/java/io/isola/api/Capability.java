package io.isola.api;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Linux capabilities, with the kernel's numbers ({@code capability.h}). */
public enum Capability {
    CHOWN,
    DAC_OVERRIDE,
    DAC_READ_SEARCH,
    FOWNER,
    FSETID,
    KILL,
    SETGID,
    SETUID,
    SETPCAP,
    LINUX_IMMUTABLE,
    NET_BIND_SERVICE,
    NET_BROADCAST,
    NET_ADMIN,
    NET_RAW,
    IPC_LOCK,
    IPC_OWNER,
    SYS_MODULE,
    SYS_RAWIO,
    SYS_CHROOT,
    SYS_PTRACE,
    SYS_PACCT,
    SYS_ADMIN,
    SYS_BOOT,
    SYS_NICE,
    SYS_RESOURCE,
    SYS_TIME,
    SYS_TTY_CONFIG,
    MKNOD,
    LEASE,
    AUDIT_WRITE,
    AUDIT_CONTROL,
    SETFCAP,
    MAC_OVERRIDE,
    MAC_ADMIN,
    SYSLOG,
    WAKE_ALARM,
    BLOCK_SUSPEND,
    AUDIT_READ,
    PERFMON,
    BPF,
    CHECKPOINT_RESTORE;

    /** The kernel's number of this capability (its bit in the capability sets). */
    public int number() {
        return ordinal();
    }

    /** The name as capability(7) and Docker's profiles write it: {@code CAP_NET_RAW}. */
    public String capName() {
        return "CAP_" + name();
    }

    /**
     * The capability named {@code name}: {@code NET_RAW}, {@code CAP_NET_RAW} or {@code net_raw}, as
     * Docker accepts them.
     */
    public static Capability parse(String name) {
        String upper = name.trim().toUpperCase(Locale.ROOT);
        String bare = upper.startsWith("CAP_") ? upper.substring(4) : upper;
        for (Capability capability : values()) {
            if (capability.name().equals(bare)) {
                return capability;
            }
        }
        throw new IllegalArgumentException("capability \"" + name + "\": unknown; expected ALL or one of "
                + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")));
    }

    /** The number of the highest capability isola knows. */
    public static int lastKnown() {
        return values().length - 1;
    }
}
