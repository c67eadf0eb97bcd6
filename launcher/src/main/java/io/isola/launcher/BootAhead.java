package io.isola.launcher;

import io.isola.api.IsolaException;
import io.isola.launcher.cli.DockerCreate;
import io.isola.launcher.client.Verbs;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * Boots the distribution's framework on a thread of its own from {@code main}'s first line, for a
 * command line that will need it ({@code run} in the foreground, the OCI {@code create}), while
 * the main thread builds picocli's model of the verb, parses and checks the spec and registers the
 * container: on a cold {@code run} the two are each about a third of the wall time and do not
 * depend on each other, so a second core does one beside the other. The framework is the one
 * {@link IsolaRuntime#withIsolators} would boot (same bundles, configuration and plugins), claimed
 * by its first call; a command that fails before it needs one closes it unused.
 *
 * <p>Not for a command line whose parse changes how the framework boots: {@code --config} (its
 * configuration directory) and {@code --debug} (the log level, fixed by the first logger). Nor
 * where none is needed ({@code -d}, Docker's create, help): a false guess costs only time.
 */
public final class BootAhead {

    private static final Set<String> VERBS = Set.of("run", "create");
    /** A cluster of short flags with -d in it ({@code -dit}): a detached run, which boots no framework here. */
    private static final Pattern DETACHING_CLUSTER = Pattern.compile("-[A-Za-z]*d[A-Za-z]*");

    private static final AtomicReference<FutureTask<IsolaRuntime>> PENDING = new AtomicReference<>();

    private BootAhead() {}

    /** Starts booting the framework when {@code args} will need it. */
    public static void startFor(String[] args) {
        if (!wanted(args)) {
            return;
        }
        FutureTask<IsolaRuntime> task = new FutureTask<>(IsolaRuntime::bootDistribution);
        PENDING.set(task);
        Thread thread = new Thread(task, "isola-boot-ahead");
        thread.setDaemon(true); // never holds up an exit; closeUnclaimed stops what it started
        thread.start();
    }

    static boolean wanted(String[] given) {
        String[] args = DockerCreate.rewrite(given); // Docker's create is run --create-only: no framework
        int verb = Verbs.verbIndex(args);
        if (verb < 0 || !VERBS.contains(args[verb])) {
            return false;
        }
        for (String arg : args) {
            if (arg.equals("--")) {
                break; // the container's own command from here on
            }
            if (arg.equals("--debug")
                    || arg.equals("--config")
                    || arg.startsWith("--config=")
                    || arg.equals("--help") // not -h: run's --hostname
                    || arg.equals("--version")
                    || arg.equals("--detach")
                    || arg.startsWith("--detach=")
                    || arg.equals("--create-only")
                    || DETACHING_CLUSTER.matcher(arg).matches()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The framework booted ahead, once (later calls get null), or null when none was started;
     * throws what its boot threw, as the boot in the caller's thread would have.
     */
    static IsolaRuntime claim() throws InterruptedException {
        FutureTask<IsolaRuntime> task = PENDING.getAndSet(null); // one claimant, even if two ask at once
        if (task == null) {
            return null;
        }
        try {
            return task.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IsolaException(String.valueOf(cause.getMessage()), cause);
        }
    }

    /**
     * Stops a framework booted ahead that no command claimed (a command line refused before it
     * needed one), so that its bundle cache and threads go with this process. A failed boot is
     * not reported: the command failed first, with its own error.
     */
    public static void closeUnclaimed() {
        FutureTask<IsolaRuntime> task = PENDING.getAndSet(null); // one claimant, even if two ask at once
        if (task == null) {
            return;
        }
        try {
            task.get().close();
        } catch (ExecutionException e) {
            // nothing was left running: FelixRuntime.start closes what it made when it fails
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
