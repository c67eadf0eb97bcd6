package io.isola.launcher.cli.run;

import io.isola.launcher.Main;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.isola.api.ContainerSpec;
import io.isola.api.Filesystem;
import io.isola.api.TmpfsMount;
import io.isola.api.Volume;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** --rootfs, --read-only, -v and --tmpfs become the spec's Filesystem; nothing is started. */
class FilesystemOptionsTest {

    private static ContainerSpec spec(String... args) {
        StringWriter sink = new StringWriter();
        RunCommand run = (RunCommand) Main.commandLine(new PrintWriter(sink), new PrintWriter(sink)).parseArgs(args)
                .subcommand().commandSpec().userObject();
        return run.spec();
    }

    @Test
    void withoutOptionsTheSpecCarriesNoFilesystem() {
        assertFalse(spec("run", "true").extension(Filesystem.class).isPresent());
    }

    @Test
    void optionsReachTheSpec() {
        Filesystem fs = spec("run", "--rootfs", "/srv/img", "--read-only", "-v", "/a:/b:ro", "--volume", "/c:/d",
                "--tmpfs", "/run:size=1m", "sh").extension(Filesystem.class).orElseThrow();

        assertEquals("/srv/img", fs.rootfs().orElseThrow());
        assertEquals(true, fs.readOnly());
        assertEquals(List.of(new Volume("/a", "/b", true), new Volume("/c", "/d", false)), fs.volumes());
        assertEquals(List.of(new TmpfsMount("/run", 1 << 20, 01777, false)), fs.tmpfs());
    }

    @Test
    void badValuesAreRejectedWithTheValue() {
        assertEquals("volume \"/a\": expected HOST:CONTAINER or HOST:CONTAINER:ro",
                assertThrows(IllegalArgumentException.class, () -> spec("run", "-v", "/a", "true")).getMessage());
        assertEquals("root file system \"img\": expected an absolute path without NUL bytes",
                assertThrows(IllegalArgumentException.class, () -> spec("run", "--rootfs", "img", "true")).getMessage());
        assertEquals("--rootfs, --read-only, -v and --tmpfs need a mount namespace; drop --no-mount",
                assertThrows(IllegalArgumentException.class, () -> spec("run", "--no-mount", "-v", "/a:/b", "true")).getMessage());
    }
}
