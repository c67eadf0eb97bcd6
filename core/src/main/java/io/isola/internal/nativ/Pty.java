package io.isola.internal.nativ;

/**
 * The terminal ioctls (window size, duplicates of a master), and a pseudo-terminal pair opened by
 * this process: the master, which it reads and writes, and the slave, for a program to run on (the
 * tests' stand-in for a user's terminal; a container's terminal is opened inside the container,
 * see io.isola.internal.launch.ContainerPty). The slave is taken from the master with
 * {@code TIOCGPTPEER}, so no path under {@code /dev/pts} is looked up (it could be another devpts
 * than the master's). Both ends are close-on-exec and opened without making either the JVM's
 * controlling terminal.
 */
public final class Pty implements AutoCloseable {

    private static final int O_NOCTTY = 0400;
    private static final long TIOCSPTLCK = 0x40045431L, TIOCGPTPEER = 0x5441, TIOCSWINSZ = 0x5414, TIOCGWINSZ = 0x5413;
    private static final int F_DUPFD_CLOEXEC = 1030;

    private int master;
    private int slave;

    private Pty(int master, int slave) {
        this.master = master;
        this.slave = slave;
    }

    public static Pty open(int columns, int rows) {
        Native n = Native.get();
        int master = Fds.open("/dev/ptmx", Fds.O_RDWR | O_NOCTTY, 0);
        try (NativeMemory unlock = new NativeMemory(4)) {
            NativeMemory.putInt(unlock.address(), 0);
            n.check("unlock the pseudo-terminal", n.libc().ioctl(master, TIOCSPTLCK, unlock.address()));
            int slave = n.check(
                    "open the pseudo-terminal's peer",
                    n.libc().ioctl(master, TIOCGPTPEER, Fds.O_RDWR | O_NOCTTY | Fds.O_CLOEXEC));
            Pty pty = new Pty(master, slave);
            resize(master, columns, rows);
            return pty;
        } catch (RuntimeException e) {
            Fds.closeQuietly(master);
            throw e;
        }
    }

    public int master() {
        return master;
    }

    public int slave() {
        return slave;
    }

    /** Sets the window size of the terminal behind {@code fd} (either end). */
    public static void resize(int fd, int columns, int rows) {
        Native n = Native.get();
        try (NativeMemory size = new NativeMemory(8)) {
            NativeMemory.putShort(size.address(), (short) rows);
            NativeMemory.putShort(size.address() + 2, (short) columns);
            NativeMemory.putInt(size.address() + 4, 0);
            n.check("set the terminal size", n.libc().ioctl(fd, TIOCSWINSZ, size.address()));
        }
    }

    /** {@code [columns, rows]} of the terminal behind {@code fd}, or null when it is none. */
    public static int[] size(int fd) {
        Native n = Native.get();
        try (NativeMemory size = new NativeMemory(8)) {
            if (n.libc().ioctl(fd, TIOCGWINSZ, size.address()) < 0) {
                return null;
            }
            return new int[] {
                NativeMemory.getShort(size.address() + 2) & 0xffff, NativeMemory.getShort(size.address()) & 0xffff
            };
        }
    }

    /** A close-on-exec duplicate of {@code fd}. */
    public static int dup(int fd) {
        Native n = Native.get();
        return n.check("dup " + fd, n.libc().fcntl(fd, F_DUPFD_CLOEXEC, 3));
    }

    /** Closes this process's copy of the slave, once the program on it holds its own. */
    public void closeSlave() {
        Fds.closeQuietly(slave);
        slave = -1;
    }

    @Override
    public void close() {
        closeSlave();
        Fds.closeQuietly(master);
        master = -1;
    }
}
