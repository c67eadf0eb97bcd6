package io.isola.api;

import io.isola.spi.NamespaceIsolator;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.osgi.annotation.versioning.ProviderType;

/**
 * How the API reaches the runtime that implements it without compiling against it: {@link Isola},
 * {@link HostTerminal}, {@link IoThrottle} and {@link SeccompProfile} ask the one implementation
 * that {@link java.util.ServiceLoader} finds beside them (the core's {@code META-INF/services}, in
 * the core jar or bundle). So the exported API names no private type, as the SPI names none, and
 * the core's private code changes without the API's baseline noticing. Implemented by the core
 * only; applications use the classes above.
 */
@ProviderType
public interface RuntimeProvider {

    /** A runtime over the isolators of {@code source}; {@code defaults} null means every one. */
    Engine engine(Supplier<? extends Collection<? extends NamespaceIsolator>> source, Set<String> defaults);

    /** Every isolator {@link java.util.ServiceLoader} finds through {@code loader}; throws naming a missing class. */
    List<NamespaceIsolator> classPathIsolators(ClassLoader loader);

    /** See {@link Isola#startCreated}. */
    void startCreated(Path stateDir, Duration timeout);

    /** See {@link HostTerminal#size}. */
    int[] terminalSize(int fd);

    /** See {@link HostTerminal#raw}. */
    AutoCloseable rawTerminal(int fd);

    /** The device number of the block device at {@code path}, or -1 when it is another kind of file. */
    long blockDeviceNumber(Path path) throws IOException;

    /** See {@link SeccompProfile#parse(String, String)}. */
    SeccompProfile parseSeccompProfile(String source, String json);

    /** What {@link Isola} runs containers with. */
    @ProviderType
    interface Engine extends AutoCloseable {

        Container start(ContainerSpec spec);

        /** The isolators available now, in the kernel's namespace order. */
        List<NamespaceIsolator> isolators();

        @Override
        void close();
    }
}
