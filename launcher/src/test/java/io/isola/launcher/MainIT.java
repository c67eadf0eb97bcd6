package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.api.IdMapping;
import io.isola.spi.support.ContainerTrees;
import io.isola.spi.support.IdMaps;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container's status as the CLI's, through {@link Main#execute}: containers run through Felix
 * with the bundles the build copied to target/bundles, as root against the real kernel.
 */
class MainIT {

    private final StringWriter err = new StringWriter();
    /** A state root of this test's own: nothing it does may show in, or depend on, /run/isola. */
    @TempDir
    Path root;

    private int isola(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--root";
        all[1] = root.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return Main.execute(all, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
    }

    @Test
    void theContainersExitCodeIsTheCommandsStatus() {
        RootOnly.require();
        assertEquals(3, isola("run", "--hostname", "t", "--", "sh", "-c", "exit 3"), err::toString);
        assertEquals(0, isola("run", "--", "sh", "-c", "test \"$$\" = 1"), err::toString);
    }

    @Test
    void aSignalDeathIs128PlusTheSignal() {
        RootOnly.require();
        // Without a PID namespace: the kernel ignores SIGKILL that a namespace's init sends to itself.
        assertEquals(137, isola("run", "--no-pid", "--", "sh", "-c", "kill -9 $$"), err::toString);
    }

    @Test
    void optionsReachTheContainer() {
        RootOnly.require();
        String check =
                "test \"$(hostname)\" = box && test \"$(domainname)\" = lan && test \"$A\" = 1 && test \"$PWD\" = /tmp";
        assertEquals(
                0,
                isola(
                        "run",
                        "--hostname",
                        "box",
                        "--domainname",
                        "lan",
                        "-e",
                        "A=1",
                        "-w",
                        "/tmp",
                        "--",
                        "sh",
                        "-c",
                        check),
                err::toString);
    }

    @Test
    void aCommandThatCannotRunGives127Or126AsAShellDoes() {
        RootOnly.require();
        assertEquals(127, isola("run", "--", "no-such-command-anywhere"), err::toString);
        assertEquals(
                true, err.toString().contains("execute \"no-such-command-anywhere\" failed: ENOENT"), err::toString);
        assertEquals(false, err.toString().contains("an image"), err::toString); // after "--" it is only a command
        assertEquals(126, isola("run", "--", "/etc/hostname"), err::toString);
    }

    /** A word that could have been an image's name, when it is neither a command nor an image, says both. */
    @Test
    void aWordThatIsNeitherCommandNorImageSaysSo() {
        RootOnly.require();
        assertEquals(127, isola("run", "no-such-image-or-command", "true"), err::toString);
        assertEquals(
                true,
                err.toString()
                        .contains("execute \"no-such-image-or-command\" failed: ENOENT (no such file or "
                                + "directory); nor is \"no-such-image-or-command\" an image in the local store"),
                err::toString);
    }

    /** The user isolator as a Declarative Services component inside Felix: maps, ids, capabilities. */
    @Test
    void aUserNamespaceAndAProcessUserThroughFelix() {
        RootOnly.require();
        String check =
                "test \"$(cat /proc/self/uid_map | tr -s ' ')\" = ' 0 3000000 65536' && test \"$(id -u)\" = 1000 "
                        + "&& grep -q 'CapEff:.0000000000000000' /proc/self/status && test \"$$\" = 1";
        assertEquals(
                0,
                isola("run", "--uidmap", "0:3000000:65536", "--user", "1000:1000", "--", "sh", "-c", check),
                err::toString);
        assertEquals(125, isola("run", "--uidmap", "0:3000000:0", "--", "true"));
        assertEquals(
                true,
                err.toString().contains("isola: uid map \"0:3000000:0\": the length must be at least 1"),
                err::toString);
    }

    /** devpts gives a pty group tty (gid 5) where the user namespace maps gid 5; where it does not, the container still runs. */
    @Test
    void aPtyBelongsToGroupTtyWhereTheUserNamespaceMapsGid5() {
        RootOnly.require();
        String ptyGroup = "exec 3<>/dev/ptmx && test \"$(stat -c %g /dev/pts/0)\" = ";
        assertEquals(0, isola("run", "--uidmap", "0:3000000:65536", "--", "sh", "-c", ptyGroup + 5), err::toString);
        assertEquals(
                0,
                isola("run", "--uidmap", "0:3000000:65536", "--gidmap", "0:3000000:5", "--", "sh", "-c", ptyGroup + 0),
                err::toString);
    }

    /**
     * Busybox as root over its own files in a user namespace: a root file system copy shifted to
     * the mapped range (what ns-user's README describes) through ns-mount's pivot_root.
     */
    @Test
    void busyboxAsRootInAUserNamespaceFromAShiftedRootfsCopy(@TempDir Path tmp) throws Exception {
        RootOnly.require();
        Path busybox = Path.of("/bin/busybox");
        assumeTrue(Files.isExecutable(busybox), "busybox-static is needed");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path rootfs = Files.createDirectories(tmp.resolve("rootfs/bin"));
        Files.copy(busybox, rootfs.resolve("busybox"));
        for (String applet : List.of("sh", "id", "stat", "touch")) {
            Files.createSymbolicLink(rootfs.resolve(applet), Path.of("busybox"));
        }
        IdMapping range = new IdMapping(0, 3000000, 65536);
        ContainerTrees.shiftOwners(rootfs.getParent(), new IdMaps(List.of(range), List.of(range)));
        assertEquals(
                0,
                isola(
                        "run",
                        "--uidmap",
                        "0:3000000:65536",
                        "--rootfs",
                        rootfs.getParent().toString(),
                        "--",
                        "sh",
                        "-c",
                        "test \"$(id -u)\" = 0 && test \"$(stat -c %u%g /bin/busybox /bin)\" = \"$(printf '00\\n00')\" "
                                + "&& touch /created"),
                err::toString);
        assertEquals(3000000, Files.getAttribute(rootfs.getParent().resolve("created"), "unix:uid"));
    }
}
