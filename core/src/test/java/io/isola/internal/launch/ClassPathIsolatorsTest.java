package io.isola.internal.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.isola.api.IsolaException;
import io.isola.spi.Isolation;
import io.isola.spi.IsolationRequest;
import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassPathIsolatorsTest {

    /** An isolator whose class needs a jar that is not on the class path, as CgroupIsolator needs slf4j. */
    public static final class NeedsMissingJar implements NamespaceIsolator {
        public NeedsMissingJar() {
            throw new NoClassDefFoundError("org/example/Missing");
        }

        @Override
        public String name() {
            return "needs-missing-jar";
        }

        @Override
        public Namespace namespace() {
            return Namespace.UTS;
        }

        @Override
        public Isolation prepare(IsolationRequest request) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void anIsolatorThatCannotBeLoadedIsNamedWithTheClassItLacks(@TempDir Path dir) throws Exception {
        Path services = Files.createDirectories(dir.resolve("META-INF/services"));
        Files.writeString(
                services.resolve(NamespaceIsolator.class.getName()),
                NeedsMissingJar.class.getName() + "\n",
                StandardCharsets.UTF_8);
        try (URLClassLoader loader =
                new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            IsolaException e = assertThrows(IsolaException.class, () -> ClassPathIsolators.load(loader));
            assertEquals(
                    "isolator " + NeedsMissingJar.class.getName() + " on the class path cannot be loaded: "
                            + "it needs class org.example.Missing, which is not on the class path; depend on "
                            + "io.isola:isola-core with Maven or Gradle (it brings what the isolators need), "
                            + "or put every jar of the distribution's lib/ on the class path",
                    e.getMessage());
        }
    }
}
