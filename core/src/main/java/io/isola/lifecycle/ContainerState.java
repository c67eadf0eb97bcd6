package io.isola.lifecycle;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * A container's {@code state.json}: the OCI state (ociVersion, id, status, pid, bundle,
 * annotations) plus, under {@code isola}, what the runtime needs: the process's start time (to
 * tell a reused pid), the monitor that reaps it, the exit status, the spec.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ContainerState(
        String ociVersion,
        String id,
        String status,
        long pid,
        String bundle,
        Map<String, String> annotations,
        String created,
        Extra isola) {

    public static final String OCI_VERSION = "1.2.0";
    /** OCI statuses, plus "creating" while the state dir exists and the process does not yet. */
    public static final String CREATING = "creating", CREATED = "created", RUNNING = "running", STOPPED = "stopped";
    /** Not a status a container is in: the state file could not be read, so nothing is known of it. */
    public static final String UNKNOWN = "unknown";

    /** What is shown of a container whose {@code state.json} cannot be read, for {@code why}. */
    public static ContainerState unreadable(String id, String why) {
        Extra extra = new Extra(
                null,
                0,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                "state unreadable: " + why + "; rm -f stops its processes and removes it");
        return new ContainerState(OCI_VERSION, id, UNKNOWN, 0, null, Map.of(), null, extra);
    }

    /** Whether this is what {@link #unreadable} made. */
    @JsonIgnore
    public boolean isUnreadable() {
        return UNKNOWN.equals(status);
    }

    /**
     * @param name the user's name for the container, if any
     * @param startTime the start time of {@code pid} (see {@link ProcessIdentity})
     * @param monitor the process that reaps the container and records its exit, if any
     * @param exitCode the exit code, or 128 + the signal, once known
     * @param note why the state is what it is, when the runtime had to guess ("its monitor died")
     * @param cgroup the container's cgroup, when it has one of its own
     * @param relaunch how to run it again ({@code start}, restart policies), for containers of {@code run}
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Extra(
            String name,
            long startTime,
            ProcessIdentity monitor,
            String startedAt,
            String finishedAt,
            Integer exitCode,
            Integer exitSignal,
            Boolean autoRemove,
            Boolean detached,
            String logFile,
            SavedSpec spec,
            String note,
            CgroupState cgroup,
            Relaunch relaunch) {

        /** Without a relaunch record (an OCI container, which its engine runs again if at all). */
        public Extra(
                String name,
                long startTime,
                ProcessIdentity monitor,
                String startedAt,
                String finishedAt,
                Integer exitCode,
                Integer exitSignal,
                Boolean autoRemove,
                Boolean detached,
                String logFile,
                SavedSpec spec,
                String note,
                CgroupState cgroup) {
            this(
                    name,
                    startTime,
                    monitor,
                    startedAt,
                    finishedAt,
                    exitCode,
                    exitSignal,
                    autoRemove,
                    detached,
                    logFile,
                    spec,
                    note,
                    cgroup,
                    null);
        }

        /** Without a cgroup (it is recorded once the container runs). */
        public Extra(
                String name,
                long startTime,
                ProcessIdentity monitor,
                String startedAt,
                String finishedAt,
                Integer exitCode,
                Integer exitSignal,
                Boolean autoRemove,
                Boolean detached,
                String logFile,
                SavedSpec spec,
                String note) {
            this(
                    name,
                    startTime,
                    monitor,
                    startedAt,
                    finishedAt,
                    exitCode,
                    exitSignal,
                    autoRemove,
                    detached,
                    logFile,
                    spec,
                    note,
                    null,
                    null);
        }

        public Extra withExit(Integer code, Integer signal, String finished, String why) {
            return new Extra(
                    name,
                    startTime,
                    monitor,
                    startedAt,
                    finished,
                    code,
                    signal,
                    autoRemove,
                    detached,
                    logFile,
                    spec,
                    why,
                    cgroup,
                    relaunch);
        }

        public Extra withNote(String why) {
            return withExit(exitCode, exitSignal, finishedAt, why);
        }

        public Extra withProcess(long start, ProcessIdentity monitorProcess, String started) {
            return new Extra(
                    name,
                    start,
                    monitorProcess,
                    started,
                    finishedAt,
                    exitCode,
                    exitSignal,
                    autoRemove,
                    detached,
                    logFile,
                    spec,
                    note,
                    cgroup,
                    relaunch);
        }

        public Extra withCgroup(CgroupState value) {
            return new Extra(
                    name,
                    startTime,
                    monitor,
                    startedAt,
                    finishedAt,
                    exitCode,
                    exitSignal,
                    autoRemove,
                    detached,
                    logFile,
                    spec,
                    note,
                    value,
                    relaunch);
        }

        public Extra withRelaunch(Relaunch value) {
            return new Extra(
                    name,
                    startTime,
                    monitor,
                    startedAt,
                    finishedAt,
                    exitCode,
                    exitSignal,
                    autoRemove,
                    detached,
                    logFile,
                    spec,
                    note,
                    cgroup,
                    value);
        }

        public Extra withSpec(SavedSpec value) {
            return new Extra(
                    name,
                    startTime,
                    monitor,
                    startedAt,
                    finishedAt,
                    exitCode,
                    exitSignal,
                    autoRemove,
                    detached,
                    logFile,
                    value,
                    note,
                    cgroup,
                    relaunch);
        }

        public Extra withName(String value) {
            return new Extra(
                    value,
                    startTime,
                    monitor,
                    startedAt,
                    finishedAt,
                    exitCode,
                    exitSignal,
                    autoRemove,
                    detached,
                    logFile,
                    spec,
                    note,
                    cgroup,
                    relaunch);
        }

        /** Detached from now on, its output in {@code log} (a stopped container started again runs in the background). */
        public Extra detachedTo(String log) {
            return new Extra(
                    name,
                    startTime,
                    monitor,
                    startedAt,
                    finishedAt,
                    exitCode,
                    exitSignal,
                    autoRemove,
                    Boolean.TRUE,
                    log,
                    spec,
                    note,
                    cgroup,
                    relaunch);
        }

        /** How often its restart policy restarted it. */
        @JsonIgnore
        public int restartCount() {
            return relaunch == null ? 0 : relaunch.count();
        }

        /** Whether the container is paused (its cgroup frozen by {@code isola pause}). */
        @JsonIgnore
        public boolean paused() {
            return cgroup != null && Boolean.TRUE.equals(cgroup.paused());
        }
    }

    @JsonIgnore
    /** Whether it was made by Docker's {@code create} and never started: stopped, with no start time. */
    public boolean neverStarted() {
        return STOPPED.equals(status) && isola != null && isola.startedAt() == null && isola.relaunch() != null;
    }

    public ProcessIdentity process() {
        return pid <= 0 || isola == null ? ProcessIdentity.NONE : new ProcessIdentity(pid, isola.startTime());
    }

    @JsonIgnore
    public String name() {
        return isola == null ? null : isola.name();
    }

    public ContainerState withStatus(String value) {
        return new ContainerState(ociVersion, id, value, pid, bundle, annotations, created, isola);
    }

    public ContainerState withPid(long value) {
        return new ContainerState(ociVersion, id, status, value, bundle, annotations, created, isola);
    }

    public ContainerState withExtra(Extra value) {
        return new ContainerState(ociVersion, id, status, pid, bundle, annotations, created, value);
    }

    /** The container's own root directory, or "" when it has none (the host's files, or an image's layers). */
    private String rootfs() {
        SavedRoot root =
                isola == null || isola.spec() == null ? null : isola.spec().root();
        return root == null || root.rootfs() == null ? "" : root.rootfs();
    }

    /** The OCI state alone, as {@code state} prints it. */
    public Map<String, Object> oci() {
        Map<String, Object> oci = new java.util.LinkedHashMap<>();
        oci.put("ociVersion", ociVersion);
        oci.put("id", id);
        // runc's extension of the OCI statuses, which podman reads back after its pause
        oci.put("status", RUNNING.equals(status) && isola() != null && isola().paused() ? "paused" : status);
        oci.put("pid", STOPPED.equals(status) ? 0 : pid);
        oci.put("bundle", bundle == null ? "" : bundle);
        oci.put("rootfs", rootfs()); // as runc prints it: the root's absolute path
        oci.put("created", created);
        if (annotations != null && !annotations.isEmpty()) {
            oci.put("annotations", annotations);
        }
        return oci;
    }
}
