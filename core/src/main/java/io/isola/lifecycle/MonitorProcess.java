package io.isola.lifecycle;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.api.IsolaException;
import io.isola.api.Stdio;
import io.isola.internal.nativ.Native;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

/**
 * The process that monitors one detached container, and how the CLI starts it.
 *
 * <p>Why a process per container rather than one resident daemon: each container's exit status
 * depends on nothing but its own monitor (a daemon that crashes loses every container's), there
 * is no socket, protocol or daemon lifecycle, and it is what conmon and containerd's shims do.
 * The cost is a small JVM per container (measured in the report of issue 8).
 *
 * <p>The handshake: the CLI starts the monitor with the container's state ("creating") already
 * written, and reads one line from the monitor's stdout: {@code started <pid>} or
 * {@code error <message>}. Then the monitor closes its stdout, so the CLI is free to exit; the
 * monitor's own log (stderr) goes to {@code monitor.log} in the state directory.
 */
public final class MonitorProcess {

    static final String LOG_FILE = "container.log", MONITOR_LOG = "monitor.log";

    /** A monitor only waits: a small heap, one GC thread, no optimizing compiler. */
    static final List<String> MONITOR_JVM_OPTIONS = List.of(
            "-Xms4m",
            "-Xmx24m",
            "-Xss512k",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-XX:CICompilerCount=1",
            "-XX:ReservedCodeCacheSize=16m",
            "-XX:MaxMetaspaceSize=64m",
            "-Xshare:auto",
            "-XX:-UsePerfData",
            "-XX:MinHeapFreeRatio=5",
            "-XX:MaxHeapFreeRatio=10");

    private MonitorProcess() {}

    /** Makes {@code file} empty with mode 0600 unless it exists; a link there is refused (the directory is the caller's). */
    private static void privateFile(Path file) {
        try {
            Files.createFile(
                    file,
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            if (Files.isSymbolicLink(file)) {
                throw new IsolaException(file + " is a symbolic link; isola does not write its logs through links");
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create " + file, e);
        }
    }

    /**
     * CLI side: runs {@code command} (a JVM whose main calls {@link #serve}) detached, and returns
     * once the container runs; throws with the monitor's message if it did not start.
     */
    public static long spawn(List<String> command, Path stateDir, Duration timeout) throws InterruptedException {
        privateFile(stateDir.resolve(MONITOR_LOG));
        privateFile(stateDir.resolve(LOG_FILE)); // the container's output: opened (O_CREAT) later, keeps this mode
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.appendTo(
                        stateDir.resolve(MONITOR_LOG).toFile()));
        // glibc makes a malloc arena per thread that allocates; a monitor needs no such parallelism
        builder.environment().put("MALLOC_ARENA_MAX", "1");
        Process monitor;
        try {
            monitor = builder.start();
        } catch (IOException e) {
            throw new IsolaException("cannot start the monitor process: " + e.getMessage(), e);
        }
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader reader =
                    new BufferedReader(new InputStreamReader(monitor.getInputStream(), StandardCharsets.UTF_8))) {
                return reader.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        String answer;
        try {
            answer = line.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            monitor.destroyForcibly();
            throw new IsolaException("the monitor did not start the container within " + timeout.toSeconds() + " s; "
                    + MonitorEnded.tail(stateDir.resolve(MONITOR_LOG)));
        } catch (java.util.concurrent.ExecutionException e) {
            answer = null;
        }
        if (answer != null && answer.startsWith("started ")) {
            return Long.parseLong(answer.substring("started ".length()).trim());
        }
        if (answer != null && answer.startsWith("error ")) {
            throw new IsolaException(answer.substring("error ".length()));
        }
        boolean ended = answer == null && monitor.waitFor(5, TimeUnit.SECONDS);
        String why = MonitorEnded.message(monitor, answer, stateDir.resolve(MONITOR_LOG));
        if (!ended) {
            // a monitor that answers something else may still start the container: it is not
            // left running for a container whose state the caller now removes
            monitor.destroyForcibly();
            monitor.waitFor(5, TimeUnit.SECONDS);
        }
        throw new IsolaException(why);
    }

    /**
     * Monitor side: leaves the CLI's session (a Ctrl-C at the terminal must not reach it), starts
     * the container registered in {@code store} as {@code id} with its output appended to
     * {@code container.log}, answers the CLI, and stays until the container has ended and its
     * exit is recorded. Returns the exit code for the monitor's own exit.
     */
    public static int serve(Isola isola, StateStore store, String id, UnaryOperator<ContainerSpec.Builder> customize)
            throws InterruptedException {
        return serve(isola, store, id, (ContainerSpec) null, customize);
    }

    /**
     * Like {@link #serve(Isola, StateStore, String, UnaryOperator)}, starting {@code spec} (the
     * caller rebuilt it as the CLI did, with every extension) rather than the saved one, which
     * only holds what inspect shows; its id and stdio are replaced.
     */
    public static int serve(
            Isola isola,
            StateStore store,
            String id,
            ContainerSpec spec,
            UnaryOperator<ContainerSpec.Builder> customize)
            throws InterruptedException {
        return serve(isola, store, id, spec, customize, container -> null);
    }

    /**
     * What a monitor keeps beside the container it started, for as long as it runs (the terminal
     * or stdin that a later attach reaches): told when to have read the container's last output
     * (before its exit is recorded) and then its exit code.
     */
    public interface Holder {
        void awaitOutput() throws InterruptedException;

        void exited(int code) throws InterruptedException;
    }

    /**
     * Like {@link #serve(Isola, StateStore, String, ContainerSpec, UnaryOperator)}, with
     * {@code hold} given the started container before the CLI hears it runs; it returns the
     * {@link Holder} to tell, or null.
     */
    public static int serve(
            Isola isola,
            StateStore store,
            String id,
            ContainerSpec spec,
            UnaryOperator<ContainerSpec.Builder> customize,
            java.util.function.Function<Container, Holder> hold)
            throws InterruptedException {
        PrintStream answer = System.out;
        Native.get().libc().setsid();
        Monitor.Running running;
        try {
            ContainerState state = store.read(id);
            if (state == null || state.status() != ContainerState.Status.CREATING) {
                throw new IsolaException("container " + id + " is not waiting to be created");
            }
            Path log = store.dir(id).resolve(LOG_FILE);
            ContainerSpec.Builder builder = (spec != null
                            ? spec.toBuilder().id(id)
                            : state.isola().spec().toBuilder(id))
                    .stdin(Stdio.NULL)
                    .stdout(new Stdio.ToFile(log, true))
                    .stderr(new Stdio.ToFile(log, true));
            running = new Monitor(isola, store)
                    .start(state, customize.apply(builder).build());
        } catch (RuntimeException e) {
            answer.println("error " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            answer.flush();
            return 125;
        }
        Holder holder;
        try {
            holder = hold.apply(running.container());
        } catch (RuntimeException e) {
            running.container().kill(9); // a container nobody can attach to as asked is not left running
            try (Container container = running.container()) {
                new Monitor(isola, store).await(running);
            }
            answer.println("error " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            answer.flush();
            return 125;
        }
        answer.println("started " + running.container().pid());
        answer.flush();
        answer.close(); // the CLI stops reading here and may exit
        // from now on the monitor only waits: give back the heap that starting took
        System.gc();
        Monitor.Running started = running;
        try (Container container = started.container()) {
            if (holder != null) {
                holder.awaitOutput();
            }
            int code = new Monitor(isola, store).await(started).shellCode();
            if (holder != null) {
                holder.exited(code);
            }
            return code;
        }
    }

    /** The java command that runs {@code mainClass} in a small JVM with this JVM's class path. */
    public static List<String> javaCommand(String mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
        String options = System.getProperty("isola.monitor.jvm-options");
        command.addAll(options != null ? List.of(options.trim().split("\\s+")) : MONITOR_JVM_OPTIONS);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        return command;
    }
}
