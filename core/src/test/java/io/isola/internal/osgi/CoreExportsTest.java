package io.isola.internal.osgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.cfg.PackageVersion;
import java.util.List;
import org.junit.jupiter.api.Test;

class CoreExportsTest {

    @Test
    void directivesAndQuotedListsAreDropped() {
        assertEquals(
                List.of("io.isola.api;version=1.1.0", "io.isola.spi;version=1.1.0"),
                CoreExports.packages("io.isola.api;version=\"1.1.0\";uses:=\"io.isola.spi,org.slf4j\","
                        + "io.isola.spi;uses:=\"io.isola.api\";version=\"1.1.0\""));
    }

    @Test
    void anUnversionedExportIsRefused() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> CoreExports.packages("io.isola.api"));
        assertEquals("the isola core exports io.isola.api without a version", e.getMessage());
    }

    /** The class path's core (this module's classes) offers plugins the API and SPI at the versions bnd wrote. */
    @Test
    void theCoreOnTheClassPathExportsItsApiAndSpi() {
        List<String> packages = List.of(CoreExports.systemPackages().split(","));
        assertTrue(
                packages.stream().anyMatch(p -> p.matches("io\\.isola\\.api;version=[1-9]\\d*\\.\\d+\\.\\d+")),
                packages::toString);
        assertTrue(
                packages.stream().anyMatch(p -> p.matches("io\\.isola\\.spi;version=[1-9]\\d*\\.\\d+\\.\\d+")),
                packages::toString);
    }

    /** ns-net imports the class path's Jackson (one copy, in the class-data archive) rather than carry its own. */
    @Test
    void theSystemBundleExportsTheClassPathsJacksonAtItsVersions() {
        List<String> packages = List.of(CoreExports.systemPackages().split(","));
        // jackson-annotations is versioned apart (2.20 beside 2.20.1)
        assertTrue(
                packages.contains("com.fasterxml.jackson.databind;version=" + PackageVersion.VERSION),
                packages::toString);
        assertTrue(
                packages.contains(
                        "com.fasterxml.jackson.core;version=" + com.fasterxml.jackson.core.json.PackageVersion.VERSION),
                packages::toString);
        assertTrue(
                packages.stream().anyMatch(p -> p.matches("com\\.fasterxml\\.jackson\\.annotation;version=2\\.\\d+.*")),
                packages::toString);
    }
}
