package io.isola.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The SPI's contract is what plugin authors compile against: it may use the JDK and the API, but
 * neither the core's private code nor the helpers of {@code io.isola.spi.support}, which are
 * versioned apart. The API, what applications compile against, reaches the core's private code
 * only through {@link io.isola.api.RuntimeProvider}, which the core implements. Checked on the compiled classes with the JDK's jdeps, which reads every
 * reference in their constant pools (signatures, bodies, annotations), not just the imports.
 */
class ContractDependenciesTest {

    /** What the contract may not reach: the core's private packages and the helpers. */
    private static final String FORBIDDEN = "io\\.isola\\.(internal|spi\\.support)\\..*";

    @Test
    void theContractUsesNeitherInternalCodeNorTheHelpers() {
        assertEquals(
                List.of(),
                referencesFrom("io.isola.spi"),
                "io.isola.spi must not use io.isola.internal or io.isola.spi.support");
    }

    @Test
    void theApiUsesNeitherInternalCodeNorTheHelpers() {
        assertEquals(
                List.of(),
                referencesFrom("io.isola.api"),
                "io.isola.api must not use io.isola.internal or io.isola.spi.support");
    }

    /** The forbidden references of the classes of {@code pkg} itself (not of its subpackages). */
    private static List<String> referencesFrom(String pkg) {
        Path classes = Path.of("target/classes");
        assertTrue(Files.isDirectory(classes.resolve(pkg.replace('.', '/'))), "compile the core first: " + classes);
        String from = pkg.replace(".", "\\.") + "\\.[A-Z][\\w$]*\\s+->.*";
        return references(classes).stream()
                // "   io.isola.spi.Step   -> io.isola.internal.x.Y   classes": a class of the package itself
                .filter(line -> line.strip().matches(from))
                .map(line -> line.strip().replaceAll("\\s+", " "))
                .toList();
    }

    /** jdeps' class-level lines for every reference from {@code classes} to a forbidden package. */
    private static List<String> references(Path classes) {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps")
                .orElseThrow(() -> new IllegalStateException("no jdeps: run the tests on a JDK, not a JRE"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = jdeps.run(
                new PrintWriter(out), new PrintWriter(err), "-verbose:class", "-e", FORBIDDEN, classes.toString());
        assertEquals(0, rc, () -> "jdeps failed: " + err);
        return out.toString().lines().toList();
    }
}
