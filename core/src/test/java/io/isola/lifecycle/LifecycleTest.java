package io.isola.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.api.ContainerSpec;
import io.isola.api.IsolaException;
import io.isola.internal.nativ.ProcessStartTime;
import io.isola.testing.HostState;
import io.isola.testing.SameTickPidReuse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** State on disk, staleness, and detached containers with a monitor process, on the real kernel. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LifecycleTest {

    @TempDir
    Path root;

    private StateStore store;
    private Lifecycle lifecycle;

    @BeforeEach
    void setUp() {
        store = new StateStore(root);
        lifecycle = new Lifecycle(store);
    }

    @AfterEach
    void killLeftovers() throws Exception {
        for (ContainerState state : store.list()) {
            lifecycle.remove(state.id(), true);
        }
    }

    private ContainerState detached(String name, String... command) throws Exception {
        String id = Monitor.newId();
        ContainerState state =
                Monitor.register(store, id, name, ContainerSpec.builder(command).build(), true, false);
        MonitorProcess.spawn(
                MonitorProcess.javaCommand(MonitorTestMain.class.getName(), List.of(root.toString(), id)),
                store.dir(id),
                Duration.ofSeconds(30));
        return lifecycle.get(state.id());
    }

    /** A container {@code name} recorded as running {@code container}, watched by {@code monitor}. */
    private ContainerState running(String name, Process container, ProcessIdentity monitor) {
        ContainerState state = Monitor.register(
                store, name, null, ContainerSpec.builder("true").build(), true, false);
        ContainerState running = state.withStatus(ContainerState.Status.RUNNING)
                .withPid(container.pid())
                .withExtra(state.isola().withProcess(ProcessIdentity.of(container.pid()), monitor, "now"));
        store.write(running);
        return running;
    }

    @Test
    void aDetachedContainerKeepsItsExitStatusAndOutput() throws Exception {
        ContainerState state = detached("printer", "sh", "-c", "echo hello from $$; exit 3");

        ContainerState done = lifecycle.await("printer");

        assertEquals(ContainerState.Status.STOPPED, done.status());
        assertEquals(3, done.isola().exitCode());
        assertEquals("hello from 1\n", Files.readString(store.dir(state.id()).resolve("container.log")));
        Map<String, Object> inspected = Inspection.of(done);
        assertEquals(3, ((Map<?, ?>) inspected.get("State")).get("ExitCode"));
        assertEquals("", ((Map<?, ?>) inspected.get("Config")).get("User"), "root, as the spec named no user");
    }

    @Test
    void stopEndsAPid1ThatIgnoresSigtermWithSigkillAfterTheTimeout() throws Exception {
        ContainerState state = detached(null, "sleep", "1000");
        assertEquals(ContainerState.Status.RUNNING, state.status());
        assertEquals(
                ProcessIdentity.self().pidfsInode() > 0,
                state.process().pidfsInode() > 0,
                "the monitor recorded the process's pidfs inode where the kernel has pidfs");
        assertTrue(state.process().isAlive(), "by its recorded identity");
        Map<?, ?> namespaces = (Map<?, ?>) Inspection.of(state).get("Namespaces");
        Map<?, ?> pid = (Map<?, ?>) namespaces.get("pid");
        assertEquals(false, pid.get("Shared"), "inspect: " + namespaces);

        long start = System.nanoTime();
        ContainerState stopped = lifecycle.stop(state.id().substring(0, 12), Duration.ofSeconds(1));
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertTrue(elapsed >= 1000, "stopped after " + elapsed + " ms, before the timeout");
        assertEquals(ContainerState.Status.STOPPED, stopped.status());
        assertEquals(137, stopped.isola().exitCode());
        assertEquals(9, stopped.isola().exitSignal());
    }

    @Test
    void staleStateOfADeadMonitorAndAReusedPidIsReportedStopped() throws Exception {
        // a "running" container whose pid is now another process (ours, with another start time)
        // and whose monitor was SIGKILLed
        Process monitor = new ProcessBuilder("sleep", "100").start();
        ProcessIdentity monitorId = ProcessIdentity.of(monitor.pid());
        ContainerState state = Monitor.register(
                store, "stale1", null, ContainerSpec.builder("true").build(), true, false);
        long self = ProcessHandle.current().pid();
        store.write(state.withStatus(ContainerState.Status.RUNNING)
                .withPid(self)
                .withExtra(state.isola()
                        .withProcess(
                                new ProcessIdentity(
                                        self, ProcessIdentity.of(self).startTime() + 1),
                                monitorId,
                                "now")));
        monitor.destroyForcibly().waitFor();

        ContainerState listed = lifecycle.list().get(0);

        assertEquals(ContainerState.Status.STOPPED, listed.status());
        assertNull(listed.isola().exitCode());
        assertNotNull(listed.isola().note());
        assertTrue(HostState.alive(self));
        assertThrows(IsolaException.class, () -> lifecycle.kill("stale1", 9));
        assertEquals(ContainerState.Status.STOPPED, store.read("stale1").status(), "the correction was not written");
        lifecycle.remove("stale1", true); // rm -f: the process now holding the pid is not the container's
        assertTrue(HostState.alive(self));
        assertNull(store.read("stale1"));
    }

    /**
     * A container whose process ended (its monitor gone, so nothing recorded it) and whose pid a
     * host process took within the tick the container's process started in: same pid, same start
     * time. kill, stop and rm -f by the container's id must leave the host process alone.
     */
    @Test
    void aHostProcessThatTookThePidWithinTheSameTickIsNotSignalledByKillStopOrRemove() throws Exception {
        assumeTrue(ProcessIdentity.self().pidfsInode() > 0, "a kernel before 6.9: the start time is all there is");
        try (SameTickPidReuse<ProcessIdentity> reuse = SameTickPidReuse.force(ProcessIdentity::of)) {
            ContainerState state = Monitor.register(
                    store, "ticked", null, ContainerSpec.builder("true").build(), true, false);
            store.write(state.withStatus(ContainerState.Status.RUNNING)
                    .withPid(reuse.pid())
                    .withExtra(state.isola().withProcess(reuse.recorded(), null, "now")));

            assertThrows(IsolaException.class, () -> lifecycle.kill("ticked", 15));
            assertEquals(reuse.startTime(), ProcessStartTime.of(reuse.pid()), "kill left the host process alone");
            lifecycle.stop("ticked", Duration.ofSeconds(1));
            lifecycle.remove("ticked", true);
            assertEquals(reuse.startTime(), ProcessStartTime.of(reuse.pid()), "stop and rm -f left it alone");
        }
    }

    /**
     * A list reads "running", the container ends, its monitor records exit 3 and ends too, and
     * only then does the list look at the two processes: it must keep the recorded exit, not
     * write "exit status unknown" over it (this raced in LifecycleTest's first case once in CI).
     */
    @Test
    void anExitRecordedBetweenTheReadAndTheLookIsKept() throws Exception {
        Process monitor = new ProcessBuilder("sleep", "100").start();
        Process container = new ProcessBuilder("sleep", "100").start();
        ContainerState running = running("racer", container, ProcessIdentity.of(monitor.pid()));
        ContainerState seen = store.read(running.id()); // what a list read

        container.destroyForcibly().waitFor();
        store.write(running.withStatus(ContainerState.Status.STOPPED)
                .withExtra(running.isola().withExit(3, null, "now", null)));
        monitor.destroyForcibly().waitFor(); // the monitor wrote the exit and ended

        ContainerState refreshed = lifecycle.refresh(seen);

        assertEquals(ContainerState.Status.STOPPED, refreshed.status());
        assertEquals(3, refreshed.isola().exitCode());
        assertNull(refreshed.isola().note());
        assertEquals(3, store.read(running.id()).isola().exitCode(), "the recorded exit was overwritten");
    }

    /**
     * The container has ended and its live monitor is about to record the exit: a look meanwhile
     * (inspect, ps) gives the recorded exit code once the monitor has written it, not "exited"
     * with no exit code.
     */
    @Test
    void aLookWhileTheMonitorRecordsTheExitGivesTheRecordedCode() throws Exception {
        Process monitor = new ProcessBuilder("sleep", "100").start();
        Process container = new ProcessBuilder("sleep", "100").start();
        ContainerState running = running("ending", container, ProcessIdentity.of(monitor.pid()));
        container.destroyForcibly().waitFor();
        Thread recorder = new Thread(() -> {
            try {
                Thread.sleep(200); // the monitor's reap and write, a moment after the process is gone
                store.write(running.withStatus(ContainerState.Status.STOPPED)
                        .withExtra(running.isola().withExit(7, null, "now", null)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        recorder.start();
        try {
            ContainerState seen = lifecycle.get("ending");

            assertEquals(ContainerState.Status.STOPPED, seen.status());
            assertEquals(7, seen.isola().exitCode());
        } finally {
            recorder.join();
            monitor.destroyForcibly().waitFor();
        }
    }

    /**
     * rm -f in the process whose thread monitors the container (the resident server's, an embedding
     * application's): the monitor records the die a moment after the kill, and the removal waits
     * for it, as Docker's events show create, start, die, destroy (the die was lost under load).
     */
    @Test
    void aForcedRemovalInTheMonitorsOwnProcessWaitsForTheDieToBeRecorded() throws Exception {
        Process container = new ProcessBuilder("sleep", "100").start();
        ContainerState running = running("served", container, ProcessIdentity.self());
        Thread monitor = new Thread(
                () -> { // as Monitor.await: reap, then record under the root's lock
                    try {
                        container.waitFor();
                        Thread.sleep(300); // a loaded host's scheduler
                        store.locked(() -> {
                            if (store.read(running.id()) != null) {
                                EventLog.record(store, EventLog.DIE, running, Map.of("exitCode", "137"));
                                store.write(running.withStatus(ContainerState.Status.STOPPED));
                            }
                            return null;
                        });
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
        monitor.start();

        lifecycle.remove("served", true);
        monitor.join();

        assertEquals(
                List.of(EventLog.CREATE, EventLog.DIE, EventLog.DESTROY),
                EventLog.read(store).stream().map(event -> event.get("Action")).toList());
        assertTrue(!Files.exists(store.dir(running.id())), "the state is removed");
    }

    @Test
    void namesAreUniqueAndRemovalOfALiveContainerNeedsForce() throws Exception {
        ContainerState state = detached("web", "sleep", "1000");
        assertThrows(
                IllegalArgumentException.class,
                () -> Monitor.register(
                        store, "other", "web", ContainerSpec.builder("true").build(), true, false));
        assertThrows(IsolaException.class, () -> lifecycle.remove("web", false));

        lifecycle.remove("web", true);

        assertTrue(!Files.exists(store.dir(state.id())));
        assertTrue(!HostState.alive(state.pid()));
    }
}
