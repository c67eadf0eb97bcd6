package io.isola.reliability;

import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.internal.chain.ExpectedRecord;
import io.isola.internal.launch.LaunchProbe;
import io.isola.spi.Isolation;
import io.isola.spi.IsolationRequest;
import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;
import io.isola.spi.Phase;
import io.isola.spi.Steps;
import io.isola.testing.TestIsolator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A host JVM that stops at one point of a start and waits to be SIGKILLed by {@link
 * HostKilledAtEachPhaseTest}. It writes the child's pid (or "none" before the clone) to a file once
 * it is there. Points: {@code prepare} (before the clone), {@code clone} (right after it), {@code
 * wait:N} (the host blocks after the record before the N-th checkpoint or gate, so the child waits
 * there) and {@code exec} (the command runs). Record positions come from a dry run in this JVM,
 * since the number of signals to reset, and so of steps, depends on the JVM.
 */
public final class HostKilledMain {

    public static void main(String[] args) throws Exception {
        String point = args[0];
        Path marker = Path.of(args[1]);
        Path published = Path.of(args[2]);
        List<NamespaceIsolator> isolators = new ArrayList<>(List.of(
                TestIsolator.plain("uts", Namespace.UTS),
                TestIsolator.plain("ipc", Namespace.IPC),
                TestIsolator.plain("mount", Namespace.MOUNT),
                TestIsolator.withSteps(
                        "pid",
                        Namespace.PID,
                        steps -> steps.add(
                                Phase.FILESYSTEM,
                                Steps.mount("mount proc on /proc", "proc", "/proc", "proc", 0, null)))));
        if (point.equals("prepare")) {
            isolators.add(new Stalling(published));
        }
        ContainerSpec spec = ContainerSpec.builder("sh", "-c", "cat /proc/self/status > " + marker + "; sleep 60")
                .build();
        try (Isola isola = Isola.builder().isolators(isolators).build()) {
            if (!point.equals("prepare")) {
                Stop stop = stopAt(isola, point);
                int[] waitsSeen = {0};
                LaunchProbe.set((pid, index, record) -> {
                    boolean here = stop == null
                            ? record.kind() == ExpectedRecord.Kind.EXEC
                            : stop.index() == 0
                                    ? index == 0
                                    : waitsSeen[0] == stop.waitsBefore()
                                            && record.description().equals(stop.description());
                    if (record.kind() == ExpectedRecord.Kind.CHECKPOINT || record.kind() == ExpectedRecord.Kind.GATE) {
                        waitsSeen[0]++;
                    }
                    if (here) {
                        Files.writeString(published, Long.toString(pid));
                        Thread.sleep(120_000);
                    }
                });
            }
            isola.run(spec);
        }
    }

    /**
     * Where to stop: the record before a checkpoint or the gate, by its description and the number
     * of checkpoints before it, since the number of records can differ from one start to the next
     * (the signals to reset depend on the JVM's handlers at the time).
     */
    private record Stop(int index, String description, int waitsBefore) {}

    private static Stop stopAt(Isola isola, String point) throws Exception {
        if (point.equals("exec")) {
            return null;
        } else if (point.equals("clone")) {
            return new Stop(0, null, 0);
        }
        List<ExpectedRecord> records = new ArrayList<>();
        LaunchProbe.set((pid, index, record) -> records.add(record));
        isola.run(ContainerSpec.builder("true").build());
        LaunchProbe.set(null);
        int wanted = Integer.parseInt(point.substring(5)), seen = 0;
        for (int i = 1; i < records.size(); i++) {
            ExpectedRecord.Kind kind = records.get(i).kind();
            if (kind == ExpectedRecord.Kind.CHECKPOINT || kind == ExpectedRecord.Kind.GATE) {
                if (seen == wanted) {
                    return new Stop(i - 1, records.get(i - 1).description(), seen);
                }
                seen++;
            }
        }
        throw new IllegalArgumentException("no checkpoint or gate number " + wanted);
    }

    /** An isolator whose preparation never ends: the host dies before any child exists. */
    private record Stalling(Path published) implements NamespaceIsolator {
        @Override
        public String name() {
            return "stall";
        }

        @Override
        public Namespace namespace() {
            return Namespace.CGROUP;
        }

        @Override
        public Isolation prepare(IsolationRequest request) throws Exception {
            Files.writeString(published, "none");
            Thread.sleep(120_000);
            return new Isolation() {};
        }
    }
}
