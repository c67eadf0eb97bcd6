package io.isola.spi;

/**
 * The Linux namespace types, declared in the order in which a container's namespaces are created
 * or joined. The order is the kernel's, not a plugin's: the user namespace comes first because it
 * owns every namespace created after it, and the mount namespace last so that mounts made while
 * setting up the others (such as {@code /proc}) land in the container's own mount table.
 */
public enum Namespace {
    USER(0x10000000, "user"),
    PID(0x20000000, "pid"),
    UTS(0x04000000, "uts"),
    IPC(0x08000000, "ipc"),
    NET(0x40000000, "net"),
    CGROUP(0x02000000, "cgroup"),
    /** Only {@code unshare}/{@code clone3} create it: its flag overlaps clone()'s exit-signal byte. */
    TIME(0x00000080, "time"),
    MOUNT(0x00020000, "mnt");

    private final int cloneFlag;
    private final String procName;

    Namespace(int cloneFlag, String procName) {
        this.cloneFlag = cloneFlag;
        this.procName = procName;
    }

    /** The {@code CLONE_NEW*} flag that creates this namespace. */
    public int cloneFlag() {
        return cloneFlag;
    }

    /** The name of this namespace's link under {@code /proc/<pid>/ns}. */
    public String procName() {
        return procName;
    }

    /** Whether glibc's {@code clone()} can create this namespace (see {@link #TIME}). */
    public boolean creatableByClone() {
        return this != TIME;
    }
}
