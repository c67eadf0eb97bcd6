package io.isola.lifecycle;

import static io.isola.internal.nativ.Signals.SIGKILL;

import io.isola.internal.nativ.HostProc;
import io.isola.internal.nativ.NativeException;
import io.isola.internal.nativ.Pidfd;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A container's cgroups as the kernel has them, found by its id alone: the directory named after
 * the id in each mounted hierarchy ({@code <parent>/<id>}, as the cgroup isolator makes them).
 * This is how a container is found when what its state says cannot be trusted or is missing: its
 * monitor died before recording the pid, or the state file cannot be read. The kernel put every
 * process of the container there before its gate opened, so nothing that ran escapes the search.
 *
 * <p>Done from the cgroup files directly, as {@link PausedThaw} does, so that {@code ps} and
 * {@code rm -f} need no framework. A pid read from {@code cgroup.procs} is signalled through a
 * pidfd opened first and checked against the cgroup afterwards, so a pid reused by a process
 * outside the container is never killed.
 */
final class ContainerCgroups {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerCgroups.class);
    private static final Path CGROUPFS = Path.of("/sys/fs/cgroup");
    /** {@code <parent>/<id>} with a parent of up to three levels. */
    private static final int MAX_DEPTH = 4;

    private static final int KILL_ROUNDS = 100;
    /** A cgroup file has a line per hierarchy: a few hundred bytes. */
    private static final int CGROUP_BYTES = 1 << 16;

    private final List<Path> dirs;

    private ContainerCgroups(List<Path> dirs) {
        this.dirs = dirs;
    }

    /**
     * The cgroup directories of the container of {@code state}: those its state recorded and those
     * named after its id in every hierarchy; none when it has no cgroup.
     */
    static ContainerCgroups of(ContainerState state) {
        Set<Path> found = new LinkedHashSet<>(ofId(state.id()).dirs);
        CgroupState cgroup = state.isola() == null ? null : state.isola().cgroup();
        if (cgroup != null && cgroup.location() != null) {
            for (String recorded : cgroup.location().dirs().values()) {
                Path dir = Path.of(recorded).normalize();
                // only a directory of cgroupfs named after the container: never one of an engine's parents
                if (dir.startsWith(CGROUPFS)
                        && dir.getFileName().toString().equals(state.id())
                        && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    found.add(dir);
                }
            }
        }
        return new ContainerCgroups(new ArrayList<>(found));
    }

    /** The cgroup directories named {@code id} in every hierarchy. */
    static ContainerCgroups ofId(String id) {
        List<Path> found = new ArrayList<>();
        for (Path hierarchy : hierarchies()) {
            try (Stream<Path> walk = Files.walk(hierarchy, MAX_DEPTH)) {
                walk.filter(dir -> dir.getFileName() != null
                                && dir.getFileName().toString().equals(id))
                        .filter(dir -> Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS))
                        .forEach(found::add);
            } catch (IOException | java.io.UncheckedIOException e) {
                LOG.debug("cannot search {} for container {}: {}", hierarchy, id, e.toString());
            }
        }
        return new ContainerCgroups(found);
    }

    boolean exists() {
        return !dirs.isEmpty();
    }

    /** The processes in the container's cgroups now (and in their children). */
    Set<Long> pids() {
        Set<Long> pids = new LinkedHashSet<>();
        for (Path dir : dirs) {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path procs : walk.filter(p -> p.getFileName().toString().equals("cgroup.procs"))
                        .toList()) {
                    pids.addAll(readPids(procs));
                }
            } catch (IOException | java.io.UncheckedIOException e) {
                LOG.debug("cannot read the processes of {}: {}", dir, e.toString());
            }
        }
        pids.remove(ProcessHandle.current().pid());
        return pids;
    }

    /** Whether a process of the container still runs (a zombie does not count). */
    boolean hasLiveProcesses() {
        return pids().stream().anyMatch(pid -> ProcessIdentity.of(pid).pid() > 0);
    }

    /** The process of the container that started first (its first process, unless that has died); NONE if none runs. */
    ProcessIdentity firstProcess() {
        return pids().stream()
                .map(ProcessIdentity::of)
                .filter(p -> p.pid() > 0)
                .min(Comparator.comparingLong(ProcessIdentity::startTime))
                .orElse(ProcessIdentity.NONE);
    }

    /**
     * SIGKILLs every process of the container, frozen first where a v1 freezer allows so that a
     * fork loop cannot outrun the kill, thawed after (a frozen process does not die); then removes
     * the directories, deepest first. Bounded; returns whether everything is gone.
     */
    boolean killAndRemove() {
        for (int round = 0; round < KILL_ROUNDS && hasLiveProcesses(); round++) {
            killAtOnce();
            freeze("FROZEN");
            for (long pid : pids()) {
                killIfMember(pid);
            }
            freeze("THAWED");
            sleep(Math.min(50, 2L << Math.min(round, 5)));
        }
        boolean removed = true;
        for (Path dir : dirs) {
            removed &= removeTree(dir);
        }
        return removed;
    }

    /**
     * cgroup v2's {@code cgroup.kill} (Linux 5.14): the kernel SIGKILLs every process of the cgroup
     * and its children, a fork loop included, in one write and without a pid that could be reused.
     * The per-pid kills that follow cover a kernel without it (and the v1 hierarchies).
     */
    private void killAtOnce() {
        for (Path dir : dirs) {
            Path kill = dir.resolve("cgroup.kill");
            if (Files.exists(kill, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.writeString(kill, "1");
                } catch (IOException e) {
                    LOG.debug("cannot write {}: {}", kill, e.toString());
                }
            }
        }
    }

    private void killIfMember(long pid) {
        try (Pidfd process = Pidfd.openIfAny(pid)) {
            // the pidfd holds this very process: check that it is still one of the container's
            if (process != null && isMember(pid)) {
                process.signal(SIGKILL);
            }
        } catch (NativeException e) {
            LOG.debug("cannot kill process {}: {}", pid, e.getMessage()); // the next round tries again
        }
    }

    private boolean isMember(long pid) {
        // below the host's procfs handle: a file bound on the plain /proc/PID/cgroup of a host process
        // that took a container process's pid could claim the container's cgroup, and it would be killed
        try {
            String cgroups = new String(HostProc.read(pid + "/cgroup", CGROUP_BYTES), StandardCharsets.UTF_8);
            for (Path dir : dirs) {
                String relative = "/" + dir.getFileName();
                if (cgroups.lines().anyMatch(line -> line.endsWith(relative) || line.contains(relative + "/"))) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private void freeze(String state) {
        for (Path dir : dirs) {
            Path file = dir.resolve("freezer.state");
            if (Files.exists(file)) {
                try {
                    Files.writeString(file, state);
                } catch (IOException e) {
                    LOG.debug("cannot write {} to {}: {}", state, file, e.toString());
                }
            }
        }
    }

    private static boolean removeTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            // a cgroup directory's files go with it: only directories are removed, children first
            for (Path child : walk.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .sorted(Comparator.reverseOrder())
                    .toList()) {
                Files.deleteIfExists(child);
            }
            LOG.info("removed the cgroup {} of a container whose monitor is gone", dir);
            return true;
        } catch (IOException | java.io.UncheckedIOException e) {
            LOG.warn("cannot remove the cgroup {}: {}", dir, e.toString());
            return !Files.exists(dir);
        }
    }

    private static Set<Long> readPids(Path procs) throws IOException {
        Set<Long> pids = new LinkedHashSet<>();
        try (InputStream in = Files.newInputStream(procs)) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (!line.isBlank()) {
                    pids.add(Long.parseLong(line.trim()));
                }
            }
        }
        return pids;
    }

    /** The mount points of the cgroup hierarchies under /sys/fs/cgroup (each once: cpu and cpuacct share one). */
    private static List<Path> hierarchies() {
        Set<Path> points = new LinkedHashSet<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] fields = line.split(" ");
                int dash = java.util.Arrays.asList(fields).indexOf("-");
                if (dash < 0 || dash + 1 >= fields.length) {
                    continue;
                }
                String type = fields[dash + 1];
                Path point = Path.of(fields[4].replace("\\040", " "));
                if ((type.equals("cgroup") || type.equals("cgroup2")) && point.startsWith(CGROUPFS)) {
                    points.add(point);
                }
            }
        } catch (IOException e) {
            LOG.debug("cannot read the mount table: {}", e.toString());
        }
        return new ArrayList<>(points);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
