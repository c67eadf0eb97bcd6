package io.isola.launcher.cli.oci;

import io.isola.api.ConsoleSocket;
import io.isola.api.ContainerSpec;
import io.isola.oci.ExecProcess;
import java.nio.file.Path;

/**
 * An OCI process.json (exec --process), read by {@link ExecProcess}, with the engine's console
 * socket: a process.terminal of true needs one, and one needs a terminal (runc's rule).
 */
public final class OciProcess {

    private OciProcess() {}

    /**
     * @param stateDir the container's state directory (its seccomp filter, saved at create, applies
     *     to the process too)
     * @param bundle the container's bundle, read instead for a container that has nothing saved, or null
     * @param consoleSocket the engine's --console-socket, or null
     */
    public static ContainerSpec.Builder load(Path file, Path stateDir, String bundle, Path consoleSocket) {
        ContainerSpec.Builder builder = ExecProcess.load(file, stateDir, bundle);
        boolean terminal = ExecProcess.terminal(builder);
        if (terminal && consoleSocket == null) {
            throw new IllegalArgumentException(
                    "process file \"" + file + "\": process.terminal is true: exec needs --console-socket");
        }
        if (!terminal && consoleSocket != null) {
            throw new IllegalArgumentException("--console-socket \"" + consoleSocket
                    + "\": the process has no terminal (set process.terminal to true)");
        }
        if (terminal) {
            builder.with(new ConsoleSocket(consoleSocket.toAbsolutePath()));
        }
        return builder;
    }
}
