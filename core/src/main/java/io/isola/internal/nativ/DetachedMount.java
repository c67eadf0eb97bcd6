package io.isola.internal.nativ;

import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file system mounted nowhere: made with the new mount API (fsopen, fsconfig, fsmount; Linux
 * 5.2) and held only by a descriptor, so no other process sees it and closing the descriptor is
 * its unmount. isola uses one to read and write a stopped container's overlayfs root without
 * attaching it to the host's tree, where a crash would leave it mounted.
 */
public final class DetachedMount {

    private static final Logger LOG = LoggerFactory.getLogger(DetachedMount.class);
    private static final int FSOPEN_CLOEXEC = 1, FSMOUNT_CLOEXEC = 1;
    private static final int FSCONFIG_SET_FLAG = 0, FSCONFIG_SET_STRING = 1, FSCONFIG_CMD_CREATE = 6;

    private DetachedMount() {}

    /**
     * Mounts {@code type} with {@code options} (a null value is a flag, such as overlayfs's
     * {@code userxattr}) and returns its root directory; {@code what} names it in messages.
     */
    public static DirectoryFd mount(String type, Map<String, String> options, String what) throws FileCallException {
        Native n = Native.get();
        int context;
        try (NativeMemory name = string(type)) {
            context = (int) n.libc().syscall(SyscallNumbers.FSOPEN, name.address(), FSOPEN_CLOEXEC, 0, 0);
        }
        if (context < 0) {
            throw new FileCallException("fsopen " + type + " (the mount API of Linux 5.2)", what, n.lastErrno());
        }
        try {
            for (Map.Entry<String, String> option : new LinkedHashMap<>(options).entrySet()) {
                configure(n, context, option.getKey(), option.getValue(), what);
            }
            if (n.libc().syscall(SyscallNumbers.FSCONFIG, context, FSCONFIG_CMD_CREATE, 0, 0, 0, 0) < 0) {
                throw new FileCallException("fsconfig create " + type, what, n.lastErrno());
            }
            long mounted = n.libc().syscall(SyscallNumbers.FSMOUNT, context, FSMOUNT_CLOEXEC, 0, 0);
            if (mounted < 0) {
                throw new FileCallException("fsmount " + type, what, n.lastErrno());
            }
            LOG.debug("mounted {} {} detached as fd {}", type, what, mounted);
            return DirectoryFd.adopt((int) mounted, what);
        } finally {
            Fds.closeQuietly(context);
        }
    }

    private static void configure(Native n, int context, String key, String value, String what)
            throws FileCallException {
        try (NativeMemory k = string(key);
                NativeMemory v = value == null ? null : string(value)) {
            long done = value == null
                    ? n.libc().syscall(SyscallNumbers.FSCONFIG, context, FSCONFIG_SET_FLAG, k.address(), 0, 0, 0)
                    : n.libc()
                            .syscall(
                                    SyscallNumbers.FSCONFIG,
                                    context,
                                    FSCONFIG_SET_STRING,
                                    k.address(),
                                    v.address(),
                                    0,
                                    0);
            if (done < 0) {
                throw new FileCallException(
                        "fsconfig " + key + (value == null ? "" : "=" + value), what, n.lastErrno());
            }
        }
    }

    private static NativeMemory string(String text) {
        NativeMemory memory = new NativeMemory(text.length() * 4L + 1);
        NativeMemory.putString(memory.address(), text);
        return memory;
    }
}
