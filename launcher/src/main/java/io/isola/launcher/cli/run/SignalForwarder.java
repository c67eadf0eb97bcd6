package io.isola.launcher.cli.run;

import static io.isola.internal.nativ.Signals.SIGHUP;
import static io.isola.internal.nativ.Signals.SIGINT;
import static io.isola.internal.nativ.Signals.SIGKILL;
import static io.isola.internal.nativ.Signals.SIGTERM;

import io.isola.api.Container;
import io.isola.launcher.server.Invocation;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Passes SIGINT, SIGTERM and SIGHUP sent to the CLI on to the container, as {@code docker run}
 * does. Left to the JVM they would end the CLI and orphan a running container.
 *
 * <p>The container's PID 1 ignores signals it has no handler for (a kernel rule for namespace
 * init processes), so a repeated SIGINT or SIGTERM escalates to SIGKILL: a second Ctrl-C always
 * ends the container.
 */
public final class SignalForwarder implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SignalForwarder.class);
    private static final String[] FORWARDED = {"INT", "TERM", "HUP"};

    private final Map<Signal, SignalHandler> previous = new HashMap<>();
    /** In the resident server: the client's signals, not this JVM's, are the CLI's. */
    private AutoCloseable served;

    private SignalForwarder(Container container) {
        AtomicBoolean escalate = new AtomicBoolean();
        Invocation invocation = Invocation.current();
        if (invocation != null) {
            served = invocation.onSignal(number -> {
                if (number == SIGINT || number == SIGTERM || number == SIGHUP) {
                    forward(container, escalate, number);
                }
            });
            return;
        }
        for (String name : FORWARDED) {
            Signal signal = new Signal(name);
            previous.put(signal, Signal.handle(signal, received -> forward(container, escalate, received.getNumber())));
        }
    }

    private static void forward(Container container, AtomicBoolean escalate, int received) {
        boolean repeated = received != SIGHUP && escalate.getAndSet(true);
        int number = repeated ? SIGKILL : received;
        LOG.debug("forwarding signal {} to container {} as signal {}", received, container.id(), number);
        container.kill(number);
    }

    public static SignalForwarder forward(Container container) {
        return new SignalForwarder(container);
    }

    @Override
    public void close() {
        if (served != null) {
            try {
                served.close();
            } catch (Exception e) {
                throw new IllegalStateException(e); // a list removal: cannot fail
            }
        }
        previous.forEach(Signal::handle);
    }
}
