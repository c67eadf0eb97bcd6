package io.isola.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The one API break bnd's baseline does not report while the bundle version is ignored: an
 * exported package removed altogether. Every package of each recorded baseline (the API and the
 * SPI's contract; the SPI's helpers apart) must still be exported (bnd-baseline-maven-plugin
 * checks their contents and versions at verify).
 */
class ExportedPackagesTest {

    @ParameterizedTest
    @CsvSource({
        "isola.api.baseline, isola-core-api-baseline, ''",
        "isola.spi.support.baseline, isola-spi-support-baseline, '--spi-support '"
    })
    void everyBaselinePackageIsStillExported(String property, String artifact, String scriptOption) throws Exception {
        String version = System.getProperty(property);
        assertTrue(version != null && !version.isBlank(), "core's surefire configuration passes " + property);
        Path baseline = Path.of("api-baseline/io/isola", artifact, version, artifact + "-" + version + ".jar");
        assertTrue(
                Files.isRegularFile(baseline),
                baseline + " is missing: record it with scripts/api-baseline.sh " + scriptOption + version);
        Set<String> before;
        try (JarFile jar = new JarFile(baseline.toFile())) {
            before = names(jar.getManifest());
        }
        Set<String> now;
        try (InputStream in = Files.newInputStream(Path.of("target/classes/META-INF/MANIFEST.MF"))) {
            now = names(new Manifest(in));
        }
        Set<String> removed = new TreeSet<>(before);
        removed.removeAll(now);
        assertEquals(
                Set.of(),
                removed,
                "exported packages removed since the API baseline " + version
                        + ": a major change for every plugin importing them");
    }

    private static Set<String> names(Manifest manifest) {
        String header = manifest.getMainAttributes().getValue("Export-Package");
        Set<String> names = new TreeSet<>();
        // package names are the clause heads: drop quoted values (they may hold commas), then split
        for (String clause : header.replaceAll("\"[^\"]*\"", "").split(",")) {
            names.add(clause.split(";")[0].strip());
        }
        return names;
    }
}
