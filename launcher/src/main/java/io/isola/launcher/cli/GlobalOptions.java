package io.isola.launcher.cli;

import io.isola.launcher.RuntimeDir;
import io.isola.lifecycle.StateStore;
import io.isola.oci.ConfigTranslator;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Options of every verb, accepted before or after it ({@code isola --root R create ...} is how
 * engines call an OCI runtime): the state root, runc's logging options, and
 * {@code --systemd-cgroup} (systemd's form of cgroup paths, mapped to cgroupfs paths).
 */
public final class GlobalOptions {

    @Option(
            names = "--root",
            paramLabel = "DIR",
            scope = ScopeType.INHERIT,
            description =
                    "Directory of container state (default: /run/isola, or $XDG_RUNTIME_DIR/isola when not root).")
    Path root;

    @Option(
            names = "--log",
            paramLabel = "FILE",
            scope = ScopeType.INHERIT,
            description = "Write errors to FILE as well as to stderr (OCI runtime option).")
    Path log;

    @Option(
            names = "--log-format",
            paramLabel = "FORMAT",
            scope = ScopeType.INHERIT,
            defaultValue = "text",
            description = "Format of --log: text or json (one {\"level\":\"error\",\"msg\":...} object a line).")
    String logFormat;

    @Option(
            names = "--systemd-cgroup",
            scope = ScopeType.INHERIT,
            description =
                    "Read config.json's cgroupsPath in systemd's slice:prefix:name form (mapped to a cgroupfs path).")
    boolean systemdCgroup;

    /** How the OCI verbs read config.json. */
    public ConfigTranslator.Options ociOptions() {
        return new ConfigTranslator.Options(systemdCgroup);
    }

    /** Whether runc's --log was given: containerd's shim passes it (go-runc), a user of Docker's verbs does not. */
    public boolean runcLog() {
        return log != null;
    }

    public StateStore store() {
        return new StateStore(root != null ? root : RuntimeDir.state());
    }
}
