package io.isola.launcher.cli.run;

import io.isola.api.Container;
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
    private static final int SIGKILL = 9;

    private final Map<Signal, SignalHandler> previous = new HashMap<>();

    private SignalForwarder(Container container) {
        AtomicBoolean escalate = new AtomicBoolean();
        for (String name : FORWARDED) {
            Signal signal = new Signal(name);
            previous.put(signal, Signal.handle(signal, received -> {
                boolean repeated = !received.getName().equals("HUP") && escalate.getAndSet(true);
                int number = repeated ? SIGKILL : received.getNumber();
                LOG.debug("forwarding SIG{} to container {} as signal {}", received.getName(), container.id(), number);
                container.kill(number);
            }));
        }
    }

    public static SignalForwarder forward(Container container) {
        return new SignalForwarder(container);
    }

    @Override
    public void close() {
        previous.forEach(Signal::handle);
    }
}
