package io.isola.ns.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.isola.api.ContainerSpec;
import io.isola.api.Filesystem;
import io.isola.api.Isola;
import io.isola.api.Volume;
import io.isola.testing.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without a root file system: the host's files read-only, and nothing of its /tmp, /run or /root. */
class SandboxTest {

    private static Isola isola;

    @TempDir
    Path tmp;

    @BeforeAll
    static void runtime() {
        isola = Containers.runtime();
    }

    @AfterAll
    static void close() {
        isola.close();
    }

    @Test
    void theHostsFilesAreReadOnlyAndTmpRunRootAreTheContainersOwn() throws Exception {
        Path hostFile = Files.writeString(tmp.resolve("in-host-tmp"), "host\n");

        Outcome outcome = Outcome.of(
                isola,
                ContainerSpec.builder(
                                "sh",
                                "-c",
                                "head -c 4 /etc/os-release; echo; touch /etc/x 2>&1; touch /usr/x 2>&1; touch /x 2>&1;"
                                        + " ls -A /tmp /run /root; cat " + hostFile + " 2>&1;"
                                        + " echo a > /tmp/a && echo b > /run/b && cat /tmp/a /run/b; echo $$")
                        .build());

        assertEquals(0, outcome.status().exitCode(), outcome.err());
        assertEquals("""
                PRET
                touch: cannot touch '/etc/x': Read-only file system
                touch: cannot touch '/usr/x': Read-only file system
                touch: cannot touch '/x': Read-only file system
                /root:

                /run:

                /tmp:
                cat: %s: No such file or directory
                a
                b
                1
                """.formatted(hostFile), outcome.out());
        assertFalse(Files.exists(Path.of("/etc/x")));
    }

    @Test
    void theSandboxHasItsOwnDevProcAndReadOnlySys() throws Exception {
        Outcome outcome = Outcome.of(
                isola,
                ContainerSpec.builder(
                                "sh",
                                "-c",
                                "ls -A /dev | tr '\\n' ' '; echo; echo /proc/[0-9]*; grep -c ' /sys ro,' /proc/self/mountinfo")
                        .build());

        assertEquals(
                "fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero \n/proc/1\n1\n",
                outcome.out(),
                outcome.err());
    }

    @Test
    void aVolumeIsWritableInTheSandbox() throws Exception {
        Outcome outcome = Outcome.of(
                isola,
                ContainerSpec.builder("sh", "-c", "echo in > /tmp/data/f")
                        .with(Filesystem.builder()
                                .volume(Volume.parse(tmp + ":/tmp/data"))
                                .build())
                        .build());

        assertEquals(0, outcome.status().exitCode(), outcome.err());
        assertEquals("in\n", Files.readString(tmp.resolve("f")));
    }
}
