package io.isola.internal.nativ;

import io.isola.api.ExitStatus;
import java.time.Duration;

/**
 * A process held so that its pid cannot name another one: {@link Pidfd} on the kernel, a scripted
 * child in a test's {@link Syscalls} fake. The launch protocol and a started container know their
 * child only through this.
 */
public interface HeldProcess extends AutoCloseable {

    long pid();

    /** Sends {@code signal}; false when there was no process to send it to (reaped or gone). */
    boolean signal(int signal);

    /** A close-on-exec copy of the process's descriptor {@code targetFd} (pidfd_getfd). */
    int getFd(int targetFd);

    /** Waits for the process to exit and reaps it; null when {@code timeout} passes first. */
    ExitStatus awaitExit(Duration timeout) throws InterruptedException;

    /** Waits for the end of a process that is not our child, without reaping it; false after {@code timeout}. */
    boolean awaitEnd(Duration timeout) throws InterruptedException;

    /** The status once reaped, else null. */
    ExitStatus status();

    @Override
    void close();
}
