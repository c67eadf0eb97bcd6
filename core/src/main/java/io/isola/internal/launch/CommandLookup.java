package io.isola.internal.launch;

import io.isola.api.ContainerSpec;
import io.isola.api.IsolaException;
import io.isola.internal.nativ.DirectoryFd;
import io.isola.internal.nativ.FileCallException;
import io.isola.internal.nativ.FileStat;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Whether a created container's command can be found in its root, asked while its process waits
 * at the gate, so that an OCI create fails as runc's does ({@code exec: "x": executable file not
 * found in $PATH}), which engines map to 127 (podman) before anyone calls start. The candidates
 * are those the child's execve steps will try ({@link ProgramComposer#candidates}), looked up
 * through {@code /proc/PID/root} as the container itself resolves them (openat2 {@code
 * RESOLVE_IN_ROOT}): a link the image planted leads nowhere outside its root.
 */
public final class CommandLookup {

    private static final int EXECUTE_BITS = 0111;

    private CommandLookup() {}

    /** Throws naming the command, in runc's words, when no candidate is an executable file; quiet when it cannot tell. */
    public static void require(long pid, ContainerSpec spec) {
        String command = spec.command().get(0);
        List<String> candidates = ProgramComposer.candidates(command, spec.env());
        try (DirectoryFd root = DirectoryFd.openRoot(Path.of("/proc", Long.toString(pid), "root"))) {
            boolean denied = false;
            for (String candidate : candidates) {
                String inRoot = candidate.startsWith("/")
                        ? candidate
                        : Path.of(spec.cwd(), candidate).toString();
                Optional<FileStat> found = root.statInRoot(inRoot);
                if (found == null) {
                    return; // no openat2: the start reports it
                }
                if (found.isPresent()) {
                    if (found.get().isRegularFile() && (found.get().mode() & EXECUTE_BITS) != 0) {
                        return;
                    }
                    denied = true;
                }
            }
            String why = denied
                    ? "permission denied"
                    : command.contains("/")
                            ? "stat " + command + ": no such file or directory"
                            : "executable file not found in $PATH";
            throw new IsolaException("unable to start container process: exec: \"" + command + "\": " + why);
        } catch (FileCallException e) {
            throw new IsolaException(
                    "unable to start container process: cannot look up \"" + command + "\" in the container's"
                            + " root: " + e.getMessage(),
                    e);
        }
    }
}
