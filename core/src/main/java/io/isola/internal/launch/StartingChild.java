package io.isola.internal.launch;

import static io.isola.internal.nativ.Signals.SIGKILL;

import io.isola.api.ExitStatus;
import io.isola.internal.nativ.HeldProcess;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process a start is about, held from its first record on: the child, or, once a spawn record
 * named one, the sibling it spawned, with the spawner held until it exits (a vfork-style spawner
 * exits as soon as its sibling has exec'd or died). A {@link RemoteClone}'s child is another
 * process's: it is only seen to end, with no status, for that process reaps it.
 */
final class StartingChild {

    private static final Logger LOG = LoggerFactory.getLogger(StartingChild.class);
    /** How long a killed or exiting process is waited for, twice at the most. */
    private static final Duration REAP_WAIT = Duration.ofSeconds(10);

    private final boolean remote;
    private HeldProcess child;
    private HeldProcess spawner;

    StartingChild(boolean remote) {
        this.remote = remote;
    }

    boolean held() {
        return child != null;
    }

    void hold(HeldProcess process) {
        child = process;
    }

    HeldProcess process() {
        return child;
    }

    long pid() {
        return child.pid();
    }

    /** The spawn record's sibling: from now on the process this start is about. */
    void spawned(HeldProcess sibling) {
        spawner = child;
        child = sibling;
        LOG.debug("child {} spawned {}", spawner.pid(), sibling.pid());
    }

    /** Waits for the child's end and reaps it; null after {@code timeout}, and always for another process's child. */
    ExitStatus awaitExit(Duration timeout) throws InterruptedException {
        if (!remote) {
            return child.awaitExit(timeout);
        }
        child.awaitEnd(timeout);
        return null;
    }

    void kill() {
        if (child != null) {
            child.signal(SIGKILL);
        }
        if (spawner != null) {
            spawner.signal(SIGKILL);
        }
    }

    /** Waits for the child's end, killing it when it does not come; how it ended, or null when unknown. */
    ExitStatus reap() {
        try {
            ExitStatus exit = awaitExit(REAP_WAIT);
            if (exit == null) {
                child.signal(SIGKILL);
                exit = awaitExit(REAP_WAIT);
            }
            return exit;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            child.signal(SIGKILL);
            return null;
        }
    }

    /**
     * {@link #reap} for a message: how the child ended, or that it ended when it is another
     * process's (a thin create's client collects its status, which this process never sees).
     */
    String reapedText() {
        ExitStatus exit = reap();
        if (exit != null) {
            return exit.toString();
        }
        return remote ? "it ended (the process that cloned it collects its status)" : "its status is unknown";
    }

    /** Reaps the spawner, which exits once its sibling has exec'd or died; killed if it does not. */
    void reapSpawner() {
        if (spawner == null) {
            return;
        }
        try {
            if (spawner.awaitExit(REAP_WAIT) == null) {
                spawner.signal(SIGKILL);
                spawner.awaitExit(REAP_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            spawner.close();
            spawner = null;
        }
    }

    /** The start failed: kills and reaps what is held, and lets go of it. */
    void abandon() {
        if (child != null) {
            kill();
            reap();
            child.close();
        }
        reapSpawner();
    }
}
