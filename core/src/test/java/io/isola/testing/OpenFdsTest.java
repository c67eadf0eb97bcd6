package io.isola.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The leak check names what a case left open and passes over what the JVM keeps for itself. */
class OpenFdsTest {

    @TempDir
    Path temp;

    @Test
    void aPipeAndAFileLeftOpenAreNamedAndClosedOnesAreNot() throws Exception {
        OpenFds before = OpenFds.now();
        Path file = Files.writeString(temp.resolve("kept"), "x");
        Pipe closed = Pipe.open(); // opened and closed within the case: not a leak
        closed.source().close();
        closed.sink().close();
        Pipe pipe = Pipe.open();
        try (var kept = Files.newInputStream(file)) {
            List<String> leaked = before.leaked();
            assertEquals(3, leaked.size(), leaked.toString());
            assertTrue(leaked.stream().filter(fd -> fd.contains(" -> pipe:[")).count() == 2, leaked.toString());
            assertTrue(leaked.stream().anyMatch(fd -> fd.endsWith(" -> " + file)), leaked.toString());
        } finally {
            pipe.source().close();
            pipe.sink().close();
        }
        assertEquals(List.of(), before.leaked());
    }

    @Test
    void aJarTheJvmKeepsOpenIsNotALeak() throws Exception {
        OpenFds before = OpenFds.now();
        Path made = temp.resolve("made.jar");
        try (var out = new JarOutputStream(Files.newOutputStream(made))) {
            out.putNextEntry(new ZipEntry("a"));
        }
        try (JarFile open = new JarFile(made.toFile())) {
            assertEquals(List.of(), before.leaked());
        }
    }
}
