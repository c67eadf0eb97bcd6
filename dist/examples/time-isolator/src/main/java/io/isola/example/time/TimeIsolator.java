package io.isola.example.time;

import io.isola.spi.ClonedChild;
import io.isola.spi.Isolation;
import io.isola.spi.IsolationRequest;
import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;
import java.nio.file.Files;
import java.nio.file.Path;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * A new time namespace whose boot-time and monotonic clocks are shifted (time_namespaces(7)).
 *
 * <p>clone() cannot create a time namespace, so the core puts an {@code unshare(CLONE_NEWTIME)}
 * step into every child whose isolators include one: the child itself stays in the host's time
 * namespace, and its {@code execve} moves it into the new one. Until then the namespace has no
 * process, which is the only time its offsets may be written: here, on the host, after the clone
 * and before the gate.
 */
@Component(service = NamespaceIsolator.class, configurationPid = "io.isola.example.time")
@Designate(ocd = TimeIsolator.Config.class)
public final class TimeIsolator implements NamespaceIsolator {

    @ObjectClassDefinition(name = "isola time namespace example")
    public @interface Config {
        /** Seconds added to CLOCK_BOOTTIME (what /proc/uptime shows): ten days by default. */
        long boottime() default 864_000;

        /** Seconds added to CLOCK_MONOTONIC. */
        long monotonic() default 0;
    }

    private final String offsets;

    @Activate
    public TimeIsolator(Config config) {
        if (Math.abs(config.boottime()) > 1L << 40 || Math.abs(config.monotonic()) > 1L << 40) {
            throw new IllegalArgumentException("boottime and monotonic: expected seconds within +/-" + (1L << 40));
        }
        offsets = "boottime " + config.boottime() + " 0\nmonotonic " + config.monotonic() + " 0\n";
    }

    @Override
    public String name() {
        return "time";
    }

    @Override
    public Namespace namespace() {
        return Namespace.TIME;
    }

    @Override
    public Isolation prepare(IsolationRequest request) {
        return new Isolation() {
            @Override
            public void afterClone(ClonedChild child) throws Exception {
                // the offsets of the namespace the child's exec will enter (its time_for_children)
                Files.writeString(Path.of("/proc", Long.toString(child.pid()), "timens_offsets"), offsets);
            }
        };
    }
}
