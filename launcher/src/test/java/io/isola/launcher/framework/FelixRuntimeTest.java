package io.isola.launcher.framework;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.isola.api.IsolaException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What FelixRuntime refuses before it boots anything; the rest is in {@link FelixRuntimeIT}. */
class FelixRuntimeTest {

    @Test
    void aMissingBundleDirectoryIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("none");
        IsolaException e = assertThrows(IsolaException.class, () -> FelixRuntime.start(missing));
        assertEquals(
                "bundle directory " + missing + " does not exist; expected the directory of isolator bundles",
                e.getMessage());
    }

    @Test
    void aBundleDirectoryWithoutJarsIsNamed(@TempDir Path empty) {
        IsolaException e = assertThrows(IsolaException.class, () -> FelixRuntime.start(empty));
        assertEquals(
                "bundle directory " + empty + " holds no .jar files; expected the isolator bundles", e.getMessage());
    }
}
