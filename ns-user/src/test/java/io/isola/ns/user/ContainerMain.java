package io.isola.ns.user;

import io.isola.api.ContainerSpec;
import io.isola.api.ExitStatus;
import io.isola.api.Isola;
import io.isola.api.ProcessUser;
import io.isola.api.UserNamespace;
import io.isola.spi.Arg;
import io.isola.spi.LibcCall;
import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;
import io.isola.spi.Phase;
import io.isola.spi.Step;
import io.isola.spi.Steps;
import io.isola.spi.support.ContainerTrees;
import io.isola.spi.support.HostIdentity;
import io.isola.spi.support.IdMaps;
import io.isola.testing.TestIsolator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * A stand-in for {@code isola run} that the rootless tests start in a JVM of their own, as the
 * user they created: {@code [--userns] [--uidmap M]... [--gidmap M]... [--user U[:G]] [--ns
 * uts,ipc,pid,mount] [--chroot DIR] -- COMMAND...}. With pid and mount it mounts a /proc of its
 * own, as ns-pid does. Errors are one line on stderr and exit status 125, as a CLI would give them.
 */
public final class ContainerMain {

    /**
     * A mount namespace; with a root directory, the child chroots into it, after the host has
     * given it the owners it needs inside (as the filesystem isolator would for an image).
     */
    static NamespaceIsolator mount(String root) {
        return mount(root, true);
    }

    /** As {@link #mount(String)}, optionally without the shift (to show what it is for). */
    static NamespaceIsolator mount(String root, boolean shift) {
        if (root == null) {
            return TestIsolator.plain("mount", Namespace.MOUNT);
        }
        return new TestIsolator(
                "mount",
                Namespace.MOUNT,
                steps -> steps.add(
                        Phase.FILESYSTEM, Step.call("change root to " + root, LibcCall.CHROOT, Arg.text(root))),
                child -> {
                    IdMaps maps = IdMaps.of(child);
                    if (shift && maps.shifts() && HostIdentity.current().isRoot()) {
                        ContainerTrees.shiftOwners(Path.of(root), maps);
                    }
                });
    }

    public static void main(String[] args) throws Exception {
        List<String> uidMaps = new ArrayList<>(), gidMaps = new ArrayList<>();
        List<String> namespaces = List.of("uts", "ipc", "pid", "mount");
        boolean userns = false;
        ProcessUser user = null;
        String chroot = null;
        int i = 0;
        for (; i < args.length && !args[i].equals("--"); i++) {
            switch (args[i]) {
                case "--userns" -> userns = true;
                case "--uidmap" -> uidMaps.add(args[++i]);
                case "--gidmap" -> gidMaps.add(args[++i]);
                case "--user" -> user = ProcessUser.parse(args[++i]);
                case "--chroot" -> chroot = args[++i];
                case "--ns" -> namespaces = args[++i].isEmpty() ? List.of() : List.of(args[i].split(","));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        List<String> command = Arrays.asList(args).subList(i + 1, args.length);
        boolean ownProc = namespaces.contains("pid") && namespaces.contains("mount");
        List<NamespaceIsolator> isolators = new ArrayList<>(List.of(
                new UserIsolator(),
                TestIsolator.plain("uts", Namespace.UTS),
                TestIsolator.plain("ipc", Namespace.IPC),
                mount(chroot),
                TestIsolator.withSteps("pid", Namespace.PID, steps -> {
                    if (ownProc) {
                        steps.add(
                                Phase.FILESYSTEM,
                                Steps.mount(
                                        "mount proc on /proc",
                                        "proc",
                                        "/proc",
                                        "proc",
                                        Steps.MS_NOSUID | Steps.MS_NODEV | Steps.MS_NOEXEC,
                                        null));
                    }
                })));
        int code;
        try (Isola isola = Isola.builder()
                .isolators(isolators)
                .defaultIsolators(Set.copyOf(namespaces))
                .build()) {
            ContainerSpec.Builder spec = ContainerSpec.builder(command);
            if (userns || !uidMaps.isEmpty() || !gidMaps.isEmpty()) {
                spec.with(UserNamespace.parse(uidMaps, gidMaps));
            }
            if (user != null) {
                spec.with(user);
            }
            ExitStatus status = isola.run(spec.build());
            code = status.exitCode();
        } catch (RuntimeException e) {
            System.err.println("isola: " + e.getMessage());
            code = 125;
        }
        System.exit(code);
    }
}
