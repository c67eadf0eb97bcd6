package io.isola.ns.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.api.IsolaException;
import io.isola.api.ProcessUser;
import io.isola.api.Security;
import io.isola.api.Stdio;
import io.isola.api.UserNamespace;
import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;
import io.isola.spi.support.ChildProcFiles;
import io.isola.spi.support.HostIdentity;
import io.isola.testing.HostState;
import io.isola.testing.OpenFds;
import io.isola.testing.Outcome;
import io.isola.testing.TestIsolator;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Root on the host starts containers with a user namespace: root inside, an unprivileged uid outside. */
class UserNamespaceTest {

    /**
     * Every capability and no seccomp filter: what the container's root may do is then limited by
     * the user namespace alone, which is what these tests show.
     */
    static final Security PRIVILEGED = Security.builder().privileged(true).build();

    /** A host range no real user owns on a test machine. */
    static final long BASE = 3_000_000;

    @TempDir
    Path temp;

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @BeforeAll
    static void asRoot() {
        assumeTrue(HostIdentity.current().isRoot(), "these tests start containers as root on the host");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : cleanup) {
            c.close();
        }
    }

    static UserIsolator userIsolator(Path proc) {
        return new UserIsolator(new MapPlanner.Defaults("isola", BASE, 0, 65536), Path.of("/etc"), proc);
    }

    private Isola isola(NamespaceIsolator... others) {
        List<NamespaceIsolator> all = new ArrayList<>(List.of(userIsolator(Path.of("/proc"))));
        all.addAll(List.of(others));
        Isola isola = Isola.builder().isolators(all).build();
        cleanup.add(isola);
        return isola;
    }

    /** A directory under the test's temp dir that anybody may write to, as /tmp. */
    private Path shared(String name) throws Exception {
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dir = Files.createDirectory(temp.resolve(name));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        return dir;
    }

    private static long owner(Path path) throws Exception {
        return Integer.toUnsignedLong((Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS));
    }

    private static long group(Path path) throws Exception {
        return Integer.toUnsignedLong((Integer) Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void rootInsideIsTheMappedHostUidOutside() throws Exception {
        Isola isola = isola(TestIsolator.plain("uts", Namespace.UTS));
        ContainerSpec spec = ContainerSpec.builder(
                        "sh", "-c", "id -u; id -g; readlink /proc/self/ns/user; exec sleep 30")
                .with(UserNamespace.defaultMapping())
                .stdout(Stdio.PIPE)
                .build();
        try (Container container = isola.start(spec)) {
            BufferedReader out = new BufferedReader(new InputStreamReader(container.stdout(), StandardCharsets.UTF_8));
            assertEquals("0", out.readLine(), "id -u inside");
            assertEquals("0", out.readLine(), "id -g inside");
            assertNotEquals(HostState.namespaceOf("user"), out.readLine());
            List<String> status = Files.readAllLines(Path.of("/proc", Long.toString(container.pid()), "status"));
            assertTrue(status.contains("Uid:\t" + BASE + "\t" + BASE + "\t" + BASE + "\t" + BASE), status.toString());
            assertTrue(status.contains("Gid:\t" + BASE + "\t" + BASE + "\t" + BASE + "\t" + BASE), status.toString());
            container.kill(9);
        }
    }

    @Test
    void filesTheContainerCreatesOnTheHostBelongToTheMappedUid() throws Exception {
        Path dir = shared("volume");
        Outcome outcome = Outcome.of(
                isola(),
                ContainerSpec.builder(
                                "sh",
                                "-c",
                                "touch " + dir + "/by-root && mkdir " + dir + "/dir && echo x > " + dir
                                        + "/dir/f && ls -ln " + dir)
                        .with(UserNamespace.defaultMapping())
                        .build());
        assertEquals(0, outcome.status().exitCode(), outcome.err());
        assertEquals(BASE, owner(dir.resolve("by-root")));
        assertEquals(BASE, group(dir.resolve("by-root")));
        assertEquals(BASE, owner(dir.resolve("dir")));
        assertEquals(BASE, owner(dir.resolve("dir/f")));
    }

    @Test
    void explicitMapsAreWhatTheKernelGets() throws Exception {
        Outcome outcome = Outcome.of(
                isola(),
                ContainerSpec.builder("sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map")
                        .with(UserNamespace.parse(
                                List.of("0:3100000:1000", "1000:3200000:65536"), List.of("0:3300000:70000")))
                        .build());
        assertEquals(0, outcome.status().exitCode(), outcome.err());
        assertEquals(
                List.of("0 3100000 1000", "1000 3200000 65536", "0 3300000 70000"),
                outcome.out().lines().map(l -> l.trim().replaceAll("\\s+", " ")).toList());
    }

    /** Runs a perl script in a container with only a user namespace: the host's processes, mounts and names. */
    private Outcome perlInUserNamespaceOnly(String... lines) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/perl")), "perl is needed to make raw calls inside");
        return Outcome.of(
                isola(),
                ContainerSpec.builder("perl", "-e", String.join("\n", lines))
                        .with(UserNamespace.defaultMapping())
                        .with(PRIVILEGED)
                        .build());
    }

    /** Prints {@code name=errno} of a raw system call, 0 when it succeeded. */
    private static String syscall(String name, long number, String args) {
        return "syscall(" + number + ", " + args + ") == 0 and print \"" + name + "=0\\n\" or print '" + name
                + "=', $!+0, \"\\n\";";
    }

    private static final boolean X86 = List.of("amd64", "x86_64").contains(System.getProperty("os.arch"));

    /**
     * Root inside a user namespace has capabilities only over what the namespace owns. Without a
     * PID, mount or UTS namespace of its own the container sees the host's processes, mounts and
     * names, and still cannot touch them. Perl (always on Debian) makes the calls and prints their
     * errnos; the host name is "set" to the value it has, so nothing changes even on a failure.
     */
    @Test
    void rootInsideCannotDoWhatRootOnTheHostCan() throws Exception {
        Path target = shared("mountpoint");
        String hostname = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        cleanup.add(() -> {
            sleeper.destroyForcibly();
            sleeper.waitFor(10, TimeUnit.SECONDS);
        });
        String mountsBefore = Files.readString(Path.of("/proc/self/mountinfo"));

        Outcome outcome = perlInUserNamespaceOnly(
                "my ($source, $target, $type, $name) = ('tmpfs', '" + target + "', 'tmpfs', '" + hostname + "');",
                "kill('TERM', " + sleeper.pid() + ") and print \"kill=0\\n\" or print 'kill=', $!+0, \"\\n\";",
                syscall("mount", X86 ? 165 : 40, "$source, $target, $type, 0, 0"),
                syscall("sethostname", X86 ? 170 : 161, "$name, length($name)"),
                "open(my $f, '>', '/proc/sys/kernel/panic') and print \"sysctl=0\\n\" or print 'sysctl=', $!+0, \"\\n\";");

        assertEquals(0, outcome.status().exitCode(), outcome.err());
        assertEquals(
                List.of("kill=1", "mount=1", "sethostname=1", "sysctl=13"),
                outcome.out().lines().toList(),
                "EPERM for kill, mount and sethostname; EACCES for the sysctl");
        assertTrue(sleeper.isAlive(), "the host process survived");
        assertEquals(mountsBefore, Files.readString(Path.of("/proc/self/mountinfo")));
    }

    @Test
    void rootInsideCannotLoadAKernelModule() throws Exception {
        assumeTrue(
                Files.exists(Path.of("/proc/modules")),
                "this kernel has no loadable module support (no /proc/modules): init_module is ENOSYS even for host root");
        Outcome outcome = perlInUserNamespaceOnly(
                "my ($image, $params) = ('x' x 64, '');",
                syscall("init_module", X86 ? 175 : 105, "$image, 64, $params"),
                syscall("delete_module", X86 ? 176 : 106, "$params, 0"));
        assertEquals(
                List.of("init_module=1", "delete_module=1"),
                outcome.out().lines().toList(),
                outcome.err());
    }

    /**
     * With a mount namespace of its own, root inside may mount over a host path, but only in its
     * own view: the host sees nothing, and the host's mounts, locked into the namespace, cannot be
     * unmounted to reveal what they cover.
     */
    @Test
    void mountsInsideStayInsideAndHostMountsAreLocked() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/perl")), "perl is needed to make raw calls inside");
        int umount2 = List.of("amd64", "x86_64").contains(System.getProperty("os.arch")) ? 166 : 39;
        Path target = shared("volume");
        Outcome outcome = Outcome.of(
                isola(TestIsolator.plain("mount", Namespace.MOUNT)),
                ContainerSpec.builder(
                                "sh",
                                "-c",
                                "mount -t tmpfs tmpfs " + target + " && touch " + target + "/inside && echo mounted; "
                                        + "perl -e \"my \\$p = '/proc'; syscall(" + umount2
                                        + ", \\$p, 0) == 0 and print qq(umount=0\\n) "
                                        + "or print 'umount=', \\$!+0, qq(\\n);\"")
                        .with(UserNamespace.defaultMapping())
                        .with(PRIVILEGED)
                        .build());
        assertEquals(0, outcome.status().exitCode(), outcome.err());
        assertEquals(List.of("mounted", "umount=22"), outcome.out().lines().toList(), "EINVAL: /proc is locked");
        assertFalse(Files.exists(target.resolve("inside")), "the host's directory is unchanged");
    }

    @Test
    void rootGetsAUserNamespaceOnlyWhenItAsks() throws Exception {
        Isola isola = isola(TestIsolator.plain("uts", Namespace.UTS));
        String host = HostState.namespaceOf("user");
        assertEquals(
                host + "\n",
                Outcome.of(
                                isola,
                                ContainerSpec.builder("readlink", "/proc/self/ns/user")
                                        .build())
                        .out());
        assertNotEquals(
                host + "\n",
                Outcome.of(
                                isola,
                                ContainerSpec.builder("readlink", "/proc/self/ns/user")
                                        .with(UserNamespace.defaultMapping())
                                        .build())
                        .out());
        assertNotEquals(
                host + "\n",
                Outcome.of(
                                isola,
                                ContainerSpec.builder("readlink", "/proc/self/ns/user")
                                        .isolators(Set.of("user"))
                                        .build())
                        .out());
    }

    @Test
    void aUserNamespaceWithoutTheIsolatorIsRefused() {
        try (Isola none = Isola.builder()
                .isolators(List.of(TestIsolator.plain("uts", Namespace.UTS)))
                .build()) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> none.start(ContainerSpec.builder("true")
                            .with(UserNamespace.defaultMapping())
                            .build()));
            assertEquals(
                    "--userns: no available isolator creates user namespaces (is the ns-user bundle installed?); "
                            + "available are uts",
                    e.getMessage());
        }
    }

    @Test
    void aKernelWithoutUserNamespacesIsNamedWithTheFix() throws Exception {
        Path proc = Files.createDirectories(temp.resolve("proc/sys/user"));
        Files.writeString(proc.resolve("max_user_namespaces"), "0\n");
        long threads = HostState.threads();
        try (Isola isola = Isola.builder()
                .isolators(List.of(userIsolator(temp.resolve("proc"))))
                .build()) {
            IsolaException e = assertThrows(
                    IsolaException.class,
                    () -> isola.start(ContainerSpec.builder("true")
                            .with(UserNamespace.defaultMapping())
                            .build()));
            assertEquals(
                    "isolator \"user\" failed in prepare: user namespaces are disabled on this host "
                            + "(user.max_user_namespaces is 0); enable them with: sysctl -w user.max_user_namespaces=15000",
                    e.getMessage());
        }
        assertEquals(threads, HostState.threads());
    }

    @Test
    void anInvalidMapIsRefusedBeforeAnythingStarts() throws Exception {
        OpenFds fds = OpenFds.now();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> isola().start(ContainerSpec.builder("true")
                        .with(UserNamespace.parse(List.of("0:3000000:65536"), List.of()))
                        .with(ProcessUser.parse("70000:0"))
                        .build()));
        assertEquals(
                "--user \"70000:0\": uid 70000 is not mapped in the container's user namespace "
                        + "(uid maps [0:3000000:65536])",
                e.getMessage());
        assertEquals(List.of(), fds.leaked());
    }

    /**
     * A map the kernel refuses (written twice: the kernel takes each map once, then says EPERM):
     * the child is refused at its checkpoint, never runs the command, nothing stays.
     */
    @Test
    void aFailedMapWriteRefusesTheContainerAndLeavesNothing() throws Exception {
        Path marker = shared("marker").resolve("ran");
        OpenFds fds = OpenFds.now();
        IdMapWriter.ProcFiles twice = (child, name, text) -> {
            ChildProcFiles.write(child, name, text);
            if (name.equals("uid_map")) {
                ChildProcFiles.write(child, name, text);
            }
        };
        UserIsolator user = new UserIsolator(
                new MapPlanner.Defaults("isola", BASE, 0, 65536), Path.of("/etc"), Path.of("/proc"), twice);
        try (Isola isola = Isola.builder().isolators(List.of(user)).build()) {
            IsolaException e = assertThrows(
                    IsolaException.class,
                    () -> isola.start(ContainerSpec.builder("touch", marker.toString())
                            .with(UserNamespace.defaultMapping())
                            .build()));
            assertTrue(
                    e.getMessage()
                            .startsWith("isolator \"user\" failed in after clone: cannot write \"0 " + BASE
                                    + " 65536\" to /proc/"),
                    e.getMessage());
            assertTrue(
                    e.getMessage()
                            .endsWith("the container's process was refused at the gate and exited with code 127 "
                                    + "without running the command"),
                    e.getMessage());
        }
        assertFalse(Files.exists(marker));
        assertEquals(List.of(), fds.leaked());
    }
}
