package io.isola.launcher.attach;

import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.Native;
import io.isola.internal.nativ.NativeMemory;
import java.io.IOException;

/**
 * The user's keys to a container, on a daemon thread of their own, for {@code attach} and
 * {@code run -it}: read with poll on the user's stdin and a wake-up pipe, never in a read that
 * outlives the relay (a resident server must not go on reading the user's keys once the command
 * ended). {@link #close} wakes the thread and waits for it.
 *
 * <p>The thread owns what it polls and reads, its copy of the user's stdin and the wake-up pipe's
 * read end, and closes them as it ends: a thread still in {@link Keys#pass} when {@link #close}
 * gave up waiting for it (a container that reads no more of its terminal) then touches no fd
 * number that its caller has closed since, and that another file (another client's stdin, in a
 * resident server) may have taken.
 */
public final class KeyRelay implements AutoCloseable {

    private static final short POLLIN = 1;
    /**
     * How long {@link #close} waits for the thread: at once when it polls; a pass blocked on a full
     * terminal may never return, and the caller's end must not wait for that.
     */
    private static final long JOIN_MILLIS = 2000;

    /** Where the keys go. */
    public interface Keys {
        /** Passes {@code length} bytes of {@code buffer}; false ends the relay (the detach keys). */
        boolean pass(byte[] buffer, int length) throws IOException;

        /** The user's stdin ended; true to go on (watching) without it, false to end the relay. */
        default boolean stdinEnded() {
            return false;
        }

        /**
         * Asked every {@code checkMillis} and after each wake-up while {@code watching}: false ends
         * the relay (a served attach whose client has gone).
         */
        default boolean stillWanted() {
            return true;
        }
    }

    /** The wake-up pipe's write end, -1 once closed. */
    private int wake;

    private final Thread thread;

    private KeyRelay(int wake, Thread thread) {
        this.wake = wake;
        this.thread = thread;
    }

    /**
     * Relays {@code in} to {@code keys} ({@code reading}: else only watches) on thread {@code name};
     * with {@code checkMillis} above 0, asks {@link Keys#stillWanted} that often.
     */
    public static KeyRelay start(String name, int in, boolean reading, int checkMillis, Keys keys) {
        int[] wake = Fds.pipe();
        int own;
        try {
            own = reading ? Fds.dupCloexec(in) : -1;
        } catch (RuntimeException e) {
            Fds.closeQuietly(wake[0]);
            Fds.closeQuietly(wake[1]);
            throw e;
        }
        Thread thread = new Thread(
                () -> {
                    try {
                        relay(own, wake[0], checkMillis, keys);
                    } finally {
                        Fds.closeQuietly(own);
                        Fds.closeQuietly(wake[0]);
                    }
                },
                name);
        thread.setDaemon(true);
        thread.start();
        return new KeyRelay(wake[1], thread);
    }

    /** {@code in} is -1 when the relay only watches. */
    private static void relay(int in, int wake, int checkMillis, Keys keys) {
        Native n = Native.get();
        byte[] buffer = new byte[4096];
        boolean reading = in >= 0;
        try (NativeMemory polls = new NativeMemory(16)) {
            while (true) {
                NativeMemory.putInt(polls.address(), reading ? in : -1); // a negative fd is not polled
                NativeMemory.putInt(polls.address() + 4, POLLIN);
                NativeMemory.putInt(polls.address() + 8, wake);
                NativeMemory.putInt(polls.address() + 12, POLLIN);
                int ready = n.libc().poll(polls.address(), 2, checkMillis > 0 ? checkMillis : -1);
                if (checkMillis > 0 && !keys.stillWanted()) {
                    return;
                }
                if (ready <= 0) {
                    continue; // EINTR, or the time to ask again
                }
                if (NativeMemory.getShort(polls.address() + 14) != 0) {
                    return; // the write end closed (POLLHUP): stop before reading another key
                }
                if (NativeMemory.getShort(polls.address() + 6) == 0) {
                    continue;
                }
                long read = n.libc().read(in, buffer, buffer.length);
                if (read <= 0) {
                    // the user's stdin ended or hung up (a HUP or an error is readable too)
                    reading = false;
                    if (!keys.stdinEnded()) {
                        return;
                    }
                    continue;
                }
                if (!keys.pass(buffer, (int) read)) {
                    return;
                }
            }
        } catch (IOException e) {
            // the container's side closed
        }
    }

    /**
     * Wakes the relay (its poll sees the wake-up pipe hung up) and waits, {@link #JOIN_MILLIS} at
     * the most, for it to stop.
     */
    @Override
    public void close() throws InterruptedException {
        Fds.closeQuietly(wake);
        wake = -1;
        thread.join(JOIN_MILLIS);
    }
}
