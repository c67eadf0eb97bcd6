package io.isola.internal.launch;

import static io.isola.internal.nativ.FileStat.S_IFBLK;
import static io.isola.internal.nativ.FileStat.S_IFMT;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.RuntimeProvider;
import io.isola.api.SeccompProfile;
import io.isola.internal.nativ.Pty;
import io.isola.internal.security.SeccompProfileParser;
import io.isola.spi.NamespaceIsolator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The core's side of {@link RuntimeProvider}: what the exported API asks of the private code,
 * registered in {@code META-INF/services} so that the API finds it without naming it.
 */
public final class CoreRuntime implements RuntimeProvider {

    @Override
    public Engine engine(Supplier<? extends Collection<? extends NamespaceIsolator>> source, Set<String> defaults) {
        Orchestrator orchestrator = new Orchestrator(source, defaults);
        return new Engine() {
            @Override
            public Container start(ContainerSpec spec) {
                return orchestrator.start(spec);
            }

            @Override
            public List<NamespaceIsolator> isolators() {
                return orchestrator.availableIsolators();
            }

            @Override
            public void close() {
                orchestrator.close();
            }
        };
    }

    @Override
    public List<NamespaceIsolator> classPathIsolators(ClassLoader loader) {
        return ClassPathIsolators.load(loader);
    }

    @Override
    public void startCreated(Path stateDir, Duration timeout) {
        GateOpener.open(stateDir, timeout);
    }

    @Override
    public int[] terminalSize(int fd) {
        return Pty.size(fd);
    }

    @Override
    public AutoCloseable rawTerminal(int fd) {
        return RawTerminal.enter(fd);
    }

    @Override
    public long blockDeviceNumber(Path path) throws IOException {
        int mode = (Integer) Files.getAttribute(path, "unix:mode");
        return (mode & S_IFMT) == S_IFBLK ? ((Number) Files.getAttribute(path, "unix:rdev")).longValue() : -1;
    }

    @Override
    public SeccompProfile parseSeccompProfile(String source, String json) {
        return SeccompProfileParser.parse(source, json);
    }
}
