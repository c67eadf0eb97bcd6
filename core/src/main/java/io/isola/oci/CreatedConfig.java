package io.isola.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isola.api.IsolaException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/**
 * What {@code start}, {@code delete} and {@code exec} need of a container's config.json, as {@code
 * create} read and checked it: the hooks by kind, the cgroup path and what an exec'd process
 * inherits ({@link ExecProcess#inherited}), saved in the container's state directory (root's,
 * 0700). The bundle is the engine's, and whoever can write it could otherwise change, after
 * create, the hooks that the runtime runs as root at start and delete, the cgroup that delete
 * removes or the seccomp filter of exec'd processes; runc saves the config at create too. A config.json edited since changes
 * nothing, and one that is gone (an engine may remove the bundle before its delete) keeps nothing
 * from running.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record CreatedConfig(Map<String, List<Hook>> hooks, String cgroupPath, JsonNode inherited) {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String FILE = "created-config.json";

    CreatedConfig {
        hooks = hooks == null ? Map.of() : Map.copyOf(hooks);
    }

    /**
     * Saves it in {@code stateDir}, a new container's, where nothing of this name can be yet;
     * private as state.json. Written aside and renamed: a crash or a full /run mid-write leaves no
     * truncated file for start, delete or exec to read.
     */
    void save(Path stateDir) {
        Path staged = stateDir.resolve(FILE + ".new");
        try {
            Files.createFile(
                    staged, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(staged, JSON.writeValueAsBytes(this));
            Files.move(staged, stateDir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(staged);
            } catch (IOException ignored) {
                // the state directory goes with the failed create
            }
            throw new UncheckedIOException("cannot save the container's hooks in " + stateDir, e);
        }
    }

    /**
     * What create saved in {@code stateDir}; for a container created by a version of isola that
     * saved nothing, what the bundle's config.json says now ({@link CreatedBundle}): such a
     * container can still be started and deleted, with the hooks read as those versions read them.
     */
    static CreatedConfig of(Path stateDir, String bundle, boolean systemdCgroup) {
        try {
            return JSON.readValue(Files.readAllBytes(stateDir.resolve(FILE)), CreatedConfig.class);
        } catch (NoSuchFileException e) {
            return CreatedBundle.of(bundle).asCreated(systemdCgroup);
        } catch (IOException e) {
            // never the bundle's instead, which is what it stands in for; nor nothing, which would
            // run an exec without the container's filter and label (delete --force still removes it)
            throw new IsolaException("cannot read what create saved of the container's config ("
                    + stateDir.resolve(FILE) + "): " + e.getMessage() + "; remove the container with delete --force");
        }
    }

    /** The hooks of {@code kind}. */
    List<Hook> hooks(String kind) {
        return hooks.getOrDefault(kind, List.of());
    }
}
