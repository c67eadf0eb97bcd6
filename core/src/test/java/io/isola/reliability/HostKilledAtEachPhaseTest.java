package io.isola.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.internal.chain.ExpectedRecord;
import io.isola.internal.launch.LaunchProbe;
import io.isola.testing.HostState;
import io.isola.testing.TestRuntimes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host JVM SIGKILLed at each phase of a start: before the clone, right after it, while the
 * child waits at each checkpoint and at the gate, and once the command runs. Before the gate the
 * child must die with its host and the command never run; after the exec the command is fully
 * locked down. Nothing may be left: no process, no mount.
 */
class HostKilledAtEachPhaseTest {

    @TempDir
    Path dir;

    @Test
    void theHostDiesAtEachPhaseAndNothingIsLeft() throws Exception {
        Map<String, String> points = new LinkedHashMap<>();
        points.put("prepare", "before the clone");
        List<ExpectedRecord> records = records();
        points.put("clone", "right after the clone");
        int waits = 0;
        for (ExpectedRecord record : records) {
            if (record.kind() == ExpectedRecord.Kind.CHECKPOINT || record.kind() == ExpectedRecord.Kind.GATE) {
                points.put("wait:" + waits++, "child waiting at '" + record.description() + "'");
            }
        }
        points.put("exec", "after the exec");

        Set<String> mountsBefore = Leftovers.mountPoints();
        int tried = 0, leftBehind = 0;
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> point : points.entrySet()) {
            tried++;
            Path marker = dir.resolve("ran-" + tried);
            List<String> left = killHostAt(point.getKey(), marker);
            boolean afterExec = point.getKey().equals("exec");
            if (!afterExec && Files.exists(marker)) {
                left.add("the command ran although its host died " + point.getValue());
            }
            if (afterExec
                    && !(Files.exists(marker) && ChildKilledAtEachStepTest.fullyLockedDown(Files.readString(marker)))) {
                left.add("the command did not run fully locked down");
            }
            Set<String> added = new HashSet<>(Leftovers.mountPoints());
            added.removeAll(mountsBefore);
            if (!added.isEmpty()) {
                left.add("mounts on the host: " + added);
            }
            if (!left.isEmpty()) {
                leftBehind++;
                problems.add(point.getValue() + ": " + left);
            }
        }
        System.out.printf(
                "host JVM killed at each phase: %d cases tried (%s), %d left something behind%n",
                tried, String.join(", ", points.values()), leftBehind);
        assertEquals(List.of(), problems);
    }

    /** The checkpoints and the gate of a start like the one HostKilledMain makes, read here in a dry run. */
    private List<ExpectedRecord> records() throws Exception {
        List<ExpectedRecord> records = new ArrayList<>();
        try (Isola isola = TestRuntimes.full()) {
            LaunchProbe.set((pid, index, record) -> records.add(record));
            isola.run(ContainerSpec.builder("true").build());
        } finally {
            LaunchProbe.set(null);
        }
        return records;
    }

    private List<String> killHostAt(String point, Path marker) throws Exception {
        Path published = dir.resolve("published-" + marker.getFileName());
        Path log = dir.resolve("host-" + marker.getFileName() + ".log");
        Process host = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        HostKilledMain.class.getName(),
                        point,
                        marker.toString(),
                        published.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        List<String> left = new ArrayList<>();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(published) || Files.readString(published).isEmpty()) {
                assertTrue(host.isAlive(), () -> "host JVM ended before " + point + ": " + read(log));
                assertTrue(System.nanoTime() < deadline, "the host never reached " + point);
                Thread.sleep(20);
            }
            String child = Files.readString(published).trim();
            if (point.equals("exec")) {
                // the host publishes as soon as the exec happened: give the command its moment to
                // write its status before both are killed (a loaded host once took longer)
                long written = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!(Files.exists(marker) && Files.readString(marker).contains("Seccomp:"))
                        && System.nanoTime() < written) {
                    Thread.sleep(20);
                }
            }
            host.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            if (!child.equals("none")) {
                long pid = Long.parseLong(child);
                if (point.equals("exec")) {
                    // by design the command outlives its host: the parent-death signal is cleared at the
                    // gate, since it would fire when the cloning thread ends; reaping it is the state
                    // directory's work (issue 8). This test ends it.
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
                long gone = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (HostState.alive(pid) && System.nanoTime() < gone) {
                    Thread.sleep(20);
                }
                if (HostState.alive(pid)) {
                    left.add("the child " + pid + " outlived its host");
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            Thread.sleep(100);
            long survivors = processesMentioning(marker.toString());
            if (survivors > 0) {
                left.add(survivors + " processes of the container");
            }
            return left;
        } finally {
            host.destroyForcibly();
        }
    }

    private static long processesMentioning(String text) throws IOException {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .filter(p -> {
                        try {
                            return new String(Files.readAllBytes(p.resolve("cmdline")), UTF_8).contains(text)
                                    && HostState.alive(
                                            Long.parseLong(p.getFileName().toString()));
                        } catch (IOException gone) {
                            return false;
                        }
                    })
                    .count();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
