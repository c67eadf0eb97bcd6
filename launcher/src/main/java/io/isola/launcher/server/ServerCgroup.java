package io.isola.launcher.server;

import io.isola.internal.launch.CgroupMemberships;
import io.isola.spi.support.HostIdentity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A root server's cgroup of its own, {@value #NAME} at the top of every hierarchy it can see.
 *
 * <p>A server is started by whichever command first needs one, and that command may run in an
 * engine's cgroup (conmon's, a containerd shim's, a pod's) or in a login session's scope. Staying
 * there would put the server, and the detached containers it monitors, under that cgroup's limits
 * and end them with it: systemd stops a scope by killing what is left in it, and an engine
 * removes its container's cgroups. podman moves conmon out of its caller's cgroup for the same
 * reason. A server of another user stays where it was started: it has no cgroup of its own to go to.
 *
 * <p>Servers of several installations or state roots share the directory. Each moves back to the
 * top when it exits and removes the directory if it was the last one there, so no empty cgroup is
 * left behind (a killed server's is reused by the next).
 */
final class ServerCgroup {

    static final String NAME = "isola-server";

    private static final Logger LOG = LoggerFactory.getLogger(ServerCgroup.class);

    /** The hierarchies joined: the top of each, and the server's directory in it. */
    private record Joined(Path top, Path dir) {}

    private final List<Joined> joined;
    private final AtomicBoolean left = new AtomicBoolean();

    private ServerCgroup(List<Joined> joined) {
        this.joined = joined;
    }

    /**
     * Moves this process into {@value #NAME} in every hierarchy; a hierarchy where that fails is
     * named in the log and left as it was (the server still serves).
     */
    static ServerCgroup enter() {
        List<Joined> joined = new ArrayList<>();
        if (HostIdentity.current().uid() != 0) {
            return new ServerCgroup(joined);
        }
        String pid = Long.toString(ProcessHandle.current().pid());
        try {
            List<CgroupMemberships.Mount> mounts = CgroupMemberships.mounts();
            for (Map.Entry<String, String> entry : CgroupMemberships.ofSelf().entrySet()) {
                CgroupMemberships.Mount mount = CgroupMemberships.mountOf(mounts, entry.getKey(), entry.getValue());
                if (mount == null) {
                    continue; // a hierarchy not mounted here: nobody here can limit or kill by it either
                }
                Path dir = mount.point().resolve(NAME);
                try {
                    if (!dir.equals(mount.dirOf(entry.getValue()))) {
                        join(dir, mount.point(), pid);
                    }
                    joined.add(new Joined(mount.point(), dir));
                } catch (IOException e) {
                    LOG.warn(
                            "the server stays in cgroup {} of hierarchy \"{}\": cannot move to {}: {}",
                            entry.getValue(),
                            entry.getKey(),
                            dir,
                            e.toString());
                }
            }
        } catch (IOException e) {
            LOG.warn("the server stays in the cgroups it was started in: {}", e.toString());
        }
        return new ServerCgroup(joined);
    }

    private static void join(Path dir, Path top, String pid) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                create(dir, top);
                Files.writeString(dir.resolve("cgroup.procs"), pid, StandardCharsets.US_ASCII);
                return;
            } catch (NoSuchFileException e) {
                if (attempt == 2) {
                    throw e;
                }
                // the last server in it left and removed it between our mkdir and our write: once more
            }
        }
    }

    private static void create(Path dir, Path top) throws IOException {
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            // another server's, or a killed one's
        }
        // a v1 cpuset starts with no CPUs and no memory nodes, and takes no process until it has some
        for (String file : List.of("cpuset.cpus", "cpuset.mems")) {
            Path mine = dir.resolve(file);
            if (Files.exists(mine) && Files.readString(mine).isBlank()) {
                Files.writeString(mine, Files.readString(top.resolve(file)).strip(), StandardCharsets.US_ASCII);
            }
        }
    }

    /**
     * Back to the top of every hierarchy joined, removing the directory when no other server (or
     * a container started without a cgroup of its own) is in it. Called as the server exits (by
     * its main thread or its shutdown hook, whichever comes first).
     */
    void leave() {
        if (left.getAndSet(true)) {
            return;
        }
        String pid = Long.toString(ProcessHandle.current().pid());
        for (Joined hierarchy : joined) {
            try {
                Files.writeString(hierarchy.top().resolve("cgroup.procs"), pid, StandardCharsets.US_ASCII);
                Files.deleteIfExists(hierarchy.dir());
            } catch (IOException e) {
                LOG.debug("{} stays: {}", hierarchy.dir(), e.toString()); // EBUSY: another server is in it
            }
        }
    }
}
