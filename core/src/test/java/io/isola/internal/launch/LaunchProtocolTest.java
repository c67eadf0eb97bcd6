package io.isola.internal.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.ContainerSpec;
import io.isola.api.ExecFailedException;
import io.isola.api.Isola;
import io.isola.api.IsolaException;
import io.isola.api.Stdio;
import io.isola.api.StepFailedException;
import io.isola.spi.Namespace;
import io.isola.spi.Phase;
import io.isola.spi.Steps;
import io.isola.testing.Outcome;
import io.isola.testing.TestIsolator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The clone chain and its protocol against the real kernel: failures stop the command from running. */
class LaunchProtocolTest {

    @TempDir
    Path dir;

    private Path marker;
    private Isola isola;

    @BeforeEach
    void setUp() {
        marker = dir.resolve("command-ran");
        isola = Isola.builder()
                .isolators(List.of(
                        TestIsolator.plain("mount", Namespace.MOUNT),
                        TestIsolator.withSteps(
                                "broken",
                                Namespace.UTS,
                                steps -> steps.add(
                                        Phase.FILESYSTEM,
                                        Steps.mount(
                                                "mount a nosuchfs on " + dir,
                                                "none",
                                                dir.toString(),
                                                "nosuchfs",
                                                0,
                                                null))),
                        TestIsolator.afterClone("refuser", Namespace.IPC, child -> {
                            throw new IllegalStateException("host-side setup failed on purpose");
                        })))
                .defaultIsolators(Set.of())
                .build();
    }

    @AfterEach
    void tearDown() {
        isola.close();
    }

    private ContainerSpec touchMarker(String... isolators) {
        return ContainerSpec.builder("touch", marker.toString())
                .isolators(Set.of(isolators))
                .build();
    }

    @Test
    void aFailedStepNamesIsolatorStepAndErrnoAndTheCommandNeverRuns() throws Exception {
        String mountsBefore = Files.readString(Path.of("/proc/self/mountinfo"));

        StepFailedException e =
                assertThrows(StepFailedException.class, () -> isola.start(touchMarker("mount", "broken")));

        assertEquals("broken", e.isolator());
        assertEquals("ENODEV", e.errnoName());
        assertTrue(e.getMessage().startsWith("broken: mount a nosuchfs on " + dir + " failed: ENODEV"), e.getMessage());
        assertFalse(Files.exists(marker), "the command ran after a failed step");
        assertEquals(mountsBefore, Files.readString(Path.of("/proc/self/mountinfo")));
    }

    @Test
    void aHostThatRefusesAtTheGateLeavesTheChildToExit127() {
        IsolaException e = assertThrows(IsolaException.class, () -> isola.start(touchMarker("refuser")));

        assertTrue(
                e.getMessage()
                        .contains("isolator \"refuser\" failed in after clone: host-side setup failed on purpose"),
                e.getMessage());
        assertTrue(e.getMessage().contains("exited with code 127 without running the command"), e.getMessage());
        assertFalse(Files.exists(marker), "the command ran although the host refused");
    }

    @Test
    void theCommandRunsWhenNothingFails() throws Exception {
        assertEquals(0, isola.run(touchMarker("mount")).exitCode());
        assertTrue(Files.exists(marker));
    }

    @Test
    void exitCodesAndSignalsFollowTheShellConvention() throws Exception {
        assertEquals(
                3,
                isola.run(ContainerSpec.builder("sh", "-c", "exit 3").build()).shellCode());
        var killed = isola.run(ContainerSpec.builder("sh", "-c", "kill -9 $$").build());
        assertEquals(9, killed.signal());
        assertEquals(137, killed.shellCode());
    }

    @Test
    void aCommandThatIsNotFoundOrNotExecutableGives127Or126() throws Exception {
        ExecFailedException notFound = assertThrows(
                ExecFailedException.class,
                () -> isola.start(ContainerSpec.builder("no-such-command-here").build()));
        assertEquals("ENOENT", notFound.errnoName());
        assertEquals(127, notFound.shellCode());

        Path script = Files.writeString(dir.resolve("not-executable"), "#!/bin/sh\ntrue\n");
        ExecFailedException notExecutable = assertThrows(
                ExecFailedException.class,
                () -> isola.start(ContainerSpec.builder(script.toString()).build()));
        assertEquals("EACCES", notExecutable.errnoName());
        assertEquals(126, notExecutable.shellCode());
    }

    @Test
    void aMissingWorkingDirectoryIsAFailedStep() {
        StepFailedException e = assertThrows(
                StepFailedException.class,
                () -> isola.start(
                        ContainerSpec.builder("true").cwd("/no/such/dir").build()));
        assertEquals("core", e.isolator());
        assertEquals("change directory to /no/such/dir", e.step());
        assertEquals("ENOENT", e.errnoName());
    }

    @Test
    void theCommandGetsOnlyItsStdioCleanSignalsAndTheSpecEnvironment() throws Exception {
        Outcome outcome = Outcome.of(
                isola,
                ContainerSpec.builder("sh", "-c", "ls -m /proc/$$/fd; echo \"$GREETING\"; pwd")
                        .env("GREETING", "hello")
                        .cwd("/tmp")
                        .build());

        assertEquals(0, outcome.status().exitCode(), outcome.err());
        String[] lines = outcome.out().split("\n");
        // ls -m, not a pipe: the shell holds a pipeline's pipe until it has forked both sides
        assertEquals("0, 1, 2", lines[0], "fds inherited by the command");
        assertEquals("hello", lines[1]);
        assertEquals("/tmp", lines[2]);

        // the command itself, exec'd by the chain: a shell's own mask is full while it forks
        Outcome signals = Outcome.of(
                isola,
                ContainerSpec.builder("grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status")
                        .build());
        assertEquals("SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n", signals.out());
    }

    @Test
    void stdoutCanGoToAFile() throws Exception {
        Path out = dir.resolve("out.txt");
        isola.run(ContainerSpec.builder("echo", "to a file")
                .stdout(Stdio.file(out))
                .build());
        assertEquals("to a file\n", Files.readString(out));
    }

    @Test
    void badInputIsRefusedBeforeAnythingStarts() {
        IllegalArgumentException unknown =
                assertThrows(IllegalArgumentException.class, () -> isola.start(touchMarker("nosuch")));
        assertEquals("isolator \"nosuch\": not available; available are broken, refuser, mount", unknown.getMessage());

        IllegalArgumentException badName = assertThrows(
                IllegalArgumentException.class,
                () -> ContainerSpec.builder("true").hostname("bad name!").build());
        assertTrue(badName.getMessage().startsWith("hostname \"bad name!\": expected"), badName.getMessage());

        IllegalArgumentException noUts = assertThrows(
                IllegalArgumentException.class,
                () -> isola.start(ContainerSpec.builder("true")
                        .hostname("box")
                        .isolators(Set.of("mount"))
                        .build()));
        assertTrue(noUts.getMessage().contains("needs a UTS namespace"), noUts.getMessage());

        try (Isola twoUts = Isola.builder()
                .isolators(List.of(TestIsolator.plain("a", Namespace.UTS), TestIsolator.plain("b", Namespace.UTS)))
                .build()) {
            IllegalArgumentException clash = assertThrows(
                    IllegalArgumentException.class,
                    () -> twoUts.start(ContainerSpec.builder("true").build()));
            assertEquals("isolators \"a\" and \"b\" both create the uts namespace; select one", clash.getMessage());
        }
        assertFalse(Files.exists(marker));
    }
}
