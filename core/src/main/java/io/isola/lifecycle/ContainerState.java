package io.isola.lifecycle;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import io.soabase.recordbuilder.core.RecordBuilder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A container's {@code state.json}: the OCI state (ociVersion, id, status, pid, bundle,
 * annotations) plus, under {@code isola}, what the runtime needs: the process's start time (to
 * tell a reused pid), the monitor that reaps it, the exit status, the spec.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ContainerState(
        String ociVersion,
        String id,
        Status status,
        long pid,
        String bundle,
        Map<String, String> annotations,
        String created,
        Extra isola) {

    public static final String OCI_VERSION = "1.2.0";

    /** OCI statuses, plus {@code creating} while the state dir exists and the process does not yet. */
    public enum Status {
        CREATING,
        CREATED,
        RUNNING,
        STOPPED,
        /** Not a status a container is in: the state file could not be read, so nothing is known of it. */
        UNKNOWN;

        /** The OCI word, as state.json and {@code state} write it. */
        @JsonValue
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Status of(String word) {
            for (Status status : values()) {
                if (status.word().equals(word)) {
                    return status;
                }
            }
            throw new IllegalArgumentException("container status \"" + word + "\": expected one of "
                    + Arrays.stream(values()).map(Status::word).collect(Collectors.joining(", ")));
        }

        @Override
        public String toString() {
            return word();
        }
    }

    /** What is shown of a container whose {@code state.json} cannot be read, for {@code why}. */
    public static ContainerState unreadable(String id, String why) {
        Extra extra = Extra.builder()
                .note("state unreadable: " + why + "; rm -f stops its processes and removes it")
                .build();
        return new ContainerState(OCI_VERSION, id, Status.UNKNOWN, 0, null, Map.of(), null, extra);
    }

    /** Whether this is what {@link #unreadable} made. */
    @JsonIgnore
    public boolean isUnreadable() {
        return status == Status.UNKNOWN;
    }

    /**
     * @param name the user's name for the container, if any
     * @param startTime the start time of {@code pid} (see {@link ProcessIdentity})
     * @param pidfsInode the inode of its pidfd on pidfs (see {@link ProcessIdentity}), when known
     * @param monitor the process that reaps the container and records its exit, if any
     * @param exitCode the exit code, or 128 + the signal, once known
     * @param note why the state is what it is, when the runtime had to guess ("its monitor died")
     * @param cgroup the container's cgroup, when it has one of its own
     * @param relaunch how to run it again ({@code start}, restart policies), for containers of {@code run}
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @RecordBuilder
    public record Extra(
            String name,
            long startTime,
            Long pidfsInode,
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
            Relaunch relaunch)
            implements ContainerStateExtraBuilder.With {

        /** Every component optional: null (or 0) is "not recorded". */
        public static ContainerStateExtraBuilder builder() {
            return ContainerStateExtraBuilder.builder();
        }

        /** A builder holding every component of this one, to change some. */
        public ContainerStateExtraBuilder toBuilder() {
            return ContainerStateExtraBuilder.builder(this);
        }

        public Extra withExit(Integer code, Integer signal, String finished, String why) {
            return toBuilder()
                    .exitCode(code)
                    .exitSignal(signal)
                    .finishedAt(finished)
                    .note(why)
                    .build();
        }

        /** Records {@code process} (NONE: no process) as the container's, {@code monitorProcess} as its monitor. */
        public Extra withProcess(ProcessIdentity process, ProcessIdentity monitorProcess, String started) {
            return toBuilder()
                    .startTime(process.startTime())
                    .pidfsInode(process.pidfsInode() == 0 ? null : process.pidfsInode())
                    .monitor(monitorProcess)
                    .startedAt(started)
                    .build();
        }

        /** Detached from now on, its output in {@code log} (a stopped container started again runs in the background). */
        public Extra detachedTo(String log) {
            return toBuilder().detached(Boolean.TRUE).logFile(log).build();
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
        return status == Status.STOPPED && isola != null && isola.startedAt() == null && isola.relaunch() != null;
    }

    public ProcessIdentity process() {
        return pid <= 0 || isola == null
                ? ProcessIdentity.NONE
                : new ProcessIdentity(pid, isola.startTime(), isola.pidfsInode() == null ? 0 : isola.pidfsInode());
    }

    @JsonIgnore
    public String name() {
        return isola == null ? null : isola.name();
    }

    /** What its run recorded of its root (image layers, writable layer, rootfs), or null: nothing recorded. */
    @JsonIgnore
    public SavedRoot savedRoot() {
        return isola == null || isola.spec() == null ? null : isola.spec().root();
    }

    public ContainerState withStatus(Status value) {
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
        SavedRoot root = savedRoot();
        return root == null || root.rootfs() == null ? "" : root.rootfs();
    }

    /** The OCI state alone, as {@code state} prints it. */
    public Map<String, Object> oci() {
        Map<String, Object> oci = new LinkedHashMap<>();
        oci.put("ociVersion", ociVersion);
        oci.put("id", id);
        // runc's extension of the OCI statuses, which podman reads back after its pause
        oci.put("status", status == Status.RUNNING && isola() != null && isola().paused() ? "paused" : status.word());
        oci.put("pid", status == Status.STOPPED ? 0 : pid);
        oci.put("bundle", bundle == null ? "" : bundle);
        oci.put("rootfs", rootfs()); // as runc prints it: the root's absolute path
        oci.put("created", created);
        if (annotations != null && !annotations.isEmpty()) {
            oci.put("annotations", annotations);
        }
        return oci;
    }
}
