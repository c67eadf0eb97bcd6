package io.isola.testing;

import io.isola.api.ExitStatus;
import io.isola.internal.nativ.HeldProcess;
import io.isola.internal.nativ.NativeException;
import io.isola.internal.nativ.Syscalls;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A {@link Syscalls} that answers as a root runtime on a fixed host and records every call, in
 * order, as a line of text (youki's {@code TestHelperSyscall}): the launch pipeline runs against it
 * without a kernel, and a test reads what the host would have done. File descriptors are numbered
 * from 100, so that they show which call made them; {@link #openFds()} is what was never closed.
 * A test plays a child through {@link #reads} (what its status pipe gives), {@link #refuseWrites}
 * (its gate end closed) and {@link #exitsWith} (how it ends when waited for or killed).
 */
public final class RecordingSyscalls implements Syscalls {

    /** The signals a HotSpot JVM on the project's machines handles or ignores (its rt_sigaction). */
    public static final Set<Integer> JVM_SIGNALS = Set.of(1, 2, 3, 4, 7, 8, 11, 12, 13, 15, 25, 32, 33, 62);

    private static final int FIRST_FD = 100, LAST_CAP = 40, RLIMIT_NOFILE = 7;

    private final List<String> calls = new ArrayList<>();
    private final Set<Integer> open = new TreeSet<>();
    private int nextFd = FIRST_FD;
    private int uid;
    private int gid;
    /** The signals asked about in the current scan, and which of them were handled. */
    private int asked;

    private final List<Integer> handled = new ArrayList<>();

    /** Links planted by a test, answered before the namespace links below. */
    private final Map<String, String> links = new HashMap<>();

    /** The AF_UNIX paths a server listens on; a connect anywhere else is refused. */
    private final Set<String> listening = new HashSet<>();

    /** What reads of an fd give, batch by batch; an fd with none left reads end of file. */
    private final Map<Integer, Deque<byte[]>> reads = new HashMap<>();

    /** Writes to these fds fail with the errno given. */
    private final Map<Integer, Integer> refusedWrites = new HashMap<>();

    /** How a held child ends when waited for: by pid; a SIGKILL'd one is killed by 9. */
    private final Map<Long, ExitStatus> exits = new HashMap<>();

    /**
     * Makes reads of {@code fd} give {@code records} (4-byte native ints, as the child writes its
     * step records) in one batch; several calls queue several batches.
     */
    public synchronized RecordingSyscalls reads(int fd, int... records) {
        ByteBuffer batch = ByteBuffer.allocate(4 * records.length).order(ByteOrder.nativeOrder());
        for (int record : records) {
            batch.putInt(record);
        }
        reads.computeIfAbsent(fd, any -> new ArrayDeque<>()).add(batch.array());
        return this;
    }

    /** Makes writes to {@code fd} fail with {@code errno} (EPIPE: the reader has gone). */
    public synchronized RecordingSyscalls refuseWrites(int fd, int errno) {
        refusedWrites.put(fd, errno);
        return this;
    }

    /** Makes child {@code pid} end with {@code exit} when waited for, unless it is killed first. */
    public synchronized RecordingSyscalls exitsWith(long pid, ExitStatus exit) {
        exits.put(pid, exit);
        return this;
    }

    /** Answers as uid {@code uid}, gid {@code gid} (a rootless runtime), without capabilities. */
    public RecordingSyscalls as(int uid, int gid) {
        this.uid = uid;
        this.gid = gid;
        return this;
    }

    /** Makes {@link #readlink} answer {@code target} for {@code path}. */
    public synchronized RecordingSyscalls link(String path, String target) {
        links.put(path, target);
        return this;
    }

    /** Makes a connect to the AF_UNIX {@code path} succeed. */
    public synchronized RecordingSyscalls listening(String path) {
        listening.add(path);
        return this;
    }

    /** Every call so far, one a line; a scan of the signal dispositions is one line. */
    public synchronized List<String> calls() {
        List<String> all = new ArrayList<>(calls);
        if (asked > 0) {
            all.add(signalScan());
        }
        return all;
    }

    /** The fds handed out and not closed. */
    public synchronized Set<Integer> openFds() {
        return Set.copyOf(open);
    }

    private void record(String call) {
        if (asked > 0) {
            calls.add(signalScan());
            asked = 0;
            handled.clear();
        }
        calls.add(call);
    }

    private String signalScan() {
        return "rt_sigaction(query " + asked + " signals) = handled " + handled;
    }

    private int fd() {
        int fd = nextFd++;
        open.add(fd);
        return fd;
    }

    @Override
    public synchronized int geteuid() {
        record("geteuid() = " + uid);
        return uid;
    }

    @Override
    public synchronized int getegid() {
        record("getegid() = " + gid);
        return gid;
    }

    @Override
    public synchronized boolean hasEffectiveCapability(int number) {
        boolean has = uid == 0;
        record("capget(" + number + ") = " + has);
        return has;
    }

    @Override
    public synchronized long hardLimit(int resource) {
        long limit = resource == RLIMIT_NOFILE ? 1_048_576 : -1;
        record("getrlimit(" + resource + ") = " + limit);
        return limit;
    }

    @Override
    public synchronized int lastCap() {
        record("cap_last_cap = " + LAST_CAP);
        return LAST_CAP;
    }

    /** Not recorded: asked only when a seccomp filter is compiled, which the JVM then caches. */
    @Override
    public synchronized String kernelRelease() {
        return "6.1.0";
    }

    @Override
    public synchronized boolean handlesSignal(int signal) {
        asked++; // a scan of 62 signals is one line, written when the next call comes
        boolean handles = JVM_SIGNALS.contains(signal);
        if (handles) {
            handled.add(signal);
        }
        return handles;
    }

    @Override
    public synchronized int[] pipe() {
        int[] pipe = {fd(), fd()};
        record("pipe2(O_CLOEXEC) = [" + pipe[0] + ", " + pipe[1] + "]");
        return pipe;
    }

    @Override
    public synchronized int open(String path, int flags, int mode) {
        int fd = fd();
        record("open(\"" + path + "\", 0" + Integer.toOctalString(flags) + ", 0" + Integer.toOctalString(mode) + ") = "
                + fd);
        return fd;
    }

    @Override
    public synchronized int openHostProc() {
        int fd = fd();
        record("open_tree(\"/proc\", OPEN_TREE_CLONE) = " + fd);
        return fd;
    }

    @Override
    public synchronized int dupCloexec(int fd, int floor) {
        int copy = fd();
        record("fcntl(" + fd + ", F_DUPFD_CLOEXEC, " + floor + ") = " + copy);
        return copy;
    }

    @Override
    public synchronized void closeQuietly(int fd) {
        if (fd >= 0) {
            record("close(" + fd + ")" + (open.remove(fd) ? "" : " (not one of ours)"));
        }
    }

    @Override
    public synchronized void mkfifo(String path, int mode) {
        record("mkfifo(\"" + path + "\", 0" + Integer.toOctalString(mode) + ")");
    }

    /**
     * The runtime's namespaces are {@code <type>:[1]}; every other process's are {@code <type>:[pid]},
     * but its user and cgroup namespaces, which are the runtime's (a container of root's).
     */
    @Override
    public synchronized String readlink(String path) throws NoSuchFileException {
        String planted = links.get(path);
        if (planted != null) {
            record("readlink(\"" + path + "\") = " + planted);
            return planted;
        }
        // below a procfs handle (/proc/self/fd/N/PID/ns/TYPE) as below /proc
        String[] parts = path.replaceFirst("^/proc/self/fd/\\d+/", "/proc/").split("/");
        if (parts.length != 5 || !parts[1].equals("proc") || !parts[3].equals("ns")) {
            record("readlink(\"" + path + "\") = ENOENT");
            throw new NoSuchFileException(path);
        }
        String type = parts[4];
        boolean ours = parts[2].equals("self") || type.equals("user") || type.equals("cgroup");
        String target = type + ":[" + (ours ? "1" : parts[2]) + "]";
        record("readlink(\"" + path + "\") = " + target);
        return target;
    }

    @Override
    public synchronized int unixSocket() {
        int fd = fd();
        record("socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC) = " + fd);
        return fd;
    }

    /** Refused with ECONNREFUSED unless a test said that {@code path} is {@link #listening}. */
    @Override
    public synchronized void connect(int socket, String path, Duration timeout) {
        if (!listening.contains(path)) {
            record("connect(" + socket + ", \"" + path + "\") = ECONNREFUSED");
            throw new NativeException("connect " + path, jnr.constants.platform.Errno.ECONNREFUSED.intValue());
        }
        record("connect(" + socket + ", \"" + path + "\")");
    }

    @Override
    public synchronized void sendFd(int socket, int fd, byte[] payload, String what) {
        record("sendmsg(" + socket + ", \"" + new String(payload, StandardCharsets.UTF_8) + "\", SCM_RIGHTS " + fd
                + ")");
    }

    @Override
    public synchronized int pidfdGetFd(HeldProcess process, int targetFd) {
        int copy = fd();
        record("pidfd_getfd(" + process.pid() + ", " + targetFd + ") = " + copy);
        return copy;
    }

    @Override
    public synchronized void write(int fd, byte[] bytes, String what) {
        Integer errno = refusedWrites.get(fd);
        String text = "write(" + fd + ", " + bytes.length + " bytes)";
        if (errno != null) {
            record(text + " = " + jnr.constants.platform.Errno.valueOf(errno));
            throw new NativeException(what, errno);
        }
        record(text);
    }

    /** Not recorded: the batches that {@link #read} gives tell the story. */
    @Override
    public synchronized boolean awaitReadable(int fd, int timeoutMillis) {
        return true;
    }

    @Override
    public synchronized byte[] read(int fd, int max, String what) {
        Deque<byte[]> batches = reads.get(fd);
        byte[] batch = batches == null || batches.isEmpty() ? new byte[0] : batches.poll();
        if (batch.length > max) {
            throw new IllegalStateException("a scripted batch of " + batch.length + " bytes for a read of " + max);
        }
        record("read(" + fd + ") = " + (batch.length == 0 ? "EOF" : batch.length / 4 + " records"));
        return batch;
    }

    @Override
    public synchronized HeldProcess openChild(long pid) {
        int fd = fd();
        record("pidfd_open(" + pid + ") = " + fd);
        return new Child(pid, fd);
    }

    @Override
    public synchronized HeldProcess openProcess(long pid, long startTime, long pidfsInode) {
        int fd = fd();
        record("pidfd_open(" + pid + ") = " + fd + ", started at " + startTime);
        return new Child(pid, fd);
    }

    /** A child held by a recorded pidfd: it ends as {@link #exitsWith} says, or killed. */
    private final class Child implements HeldProcess {
        private final long pid;
        private final int fd;
        private ExitStatus status;
        private boolean killed;

        Child(long pid, int fd) {
            this.pid = pid;
            this.fd = fd;
        }

        @Override
        public long pid() {
            return pid;
        }

        @Override
        public boolean signal(int signal) {
            synchronized (RecordingSyscalls.this) {
                record("pidfd_send_signal(" + fd + ", " + signal + ")" + (status != null ? " = ESRCH" : ""));
                killed |= signal == 9 && status == null;
                return status == null;
            }
        }

        @Override
        public int getFd(int targetFd) {
            return pidfdGetFd(this, targetFd);
        }

        /** The scripted exit, or killed by 9 once killed; a child with neither never ends (null). */
        @Override
        public ExitStatus awaitExit(Duration timeout) {
            synchronized (RecordingSyscalls.this) {
                if (status == null) {
                    status = killed ? ExitStatus.killed(9) : exits.get(pid);
                }
                record("waitid(" + fd + ") = " + (status == null ? "still running" : status));
                return status;
            }
        }

        @Override
        public boolean awaitEnd(Duration timeout) {
            return awaitExit(timeout) != null;
        }

        @Override
        public ExitStatus status() {
            synchronized (RecordingSyscalls.this) {
                return status;
            }
        }

        @Override
        public void close() {
            closeQuietly(fd);
        }
    }

    @Override
    public synchronized void resizeTerminal(int fd, int columns, int rows) {
        record("ioctl(" + fd + ", TIOCSWINSZ, " + columns + "x" + rows + ")");
    }
}
