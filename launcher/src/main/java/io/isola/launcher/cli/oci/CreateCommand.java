package io.isola.launcher.cli.oci;

import io.isola.launcher.IsolaRuntime;
import io.isola.launcher.cli.IsolaCommand;
import io.isola.launcher.client.ServerStarter;
import io.isola.oci.OciPlan;
import io.isola.oci.OciRuntime;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * OCI {@code create}: sets the container up from its bundle and leaves its process waiting at the
 * gate (a FIFO in the state directory) for {@code start}. The container's stdio is this
 * command's own, as engines expect.
 */
@Command(
        name = "create",
        sortOptions = false,
        description = {
            "Create a container from an OCI bundle (OCI runtime verb): with -b/--bundle, --pid-file,",
            "--console-socket, --preserve-fds, or a lone ID in a directory holding config.json.",
            "Any other arguments are Docker's: isola create [run's OPTIONS] IMAGE [COMMAND] makes the",
            "container without starting it; isola start runs it (in the background, as start -d)."
        })
public final class CreateCommand implements Callable<Integer> {

    @ParentCommand
    private IsolaCommand parent;

    @Option(
            names = {"-b", "--bundle"},
            paramLabel = "DIR",
            defaultValue = ".",
            description = "The bundle (default: .).")
    private Path bundle;

    @Option(names = "--pid-file", paramLabel = "FILE", description = "Write the container's pid to FILE.")
    private Path pidFile;

    @Option(
            names = "--console-socket",
            paramLabel = "SOCKET",
            description =
                    "AF_UNIX socket that receives the master of the container's terminal (process.terminal must be true).")
    private Path consoleSocket;

    @Option(
            names = "--preserve-fds",
            paramLabel = "N",
            defaultValue = "0",
            description = "Pass this command's file descriptors 3 to 3+N-1 into the container, under the same numbers.")
    private int preserveFds;

    @Option(
            names = {"--no-pivot", "--no-new-keyring"},
            hidden = true,
            description = "Accepted, as runc does.")
    private boolean ignoredFlags;

    @Parameters(index = "0", paramLabel = "ID")
    private String id;

    @Override
    public Integer call() throws Exception {
        OciRuntime oci = new OciRuntime(parent.global().store(), parent.global().ociOptions());
        OciRuntime.CreateOptions options = new OciRuntime.CreateOptions(pidFile, consoleSocket, preserveFds);
        OciPlan plan = oci.plan(bundle, options); // every refusal before anything exists
        Set<String> isolators = plan.spec().build().isolators().orElse(Set.of());
        try (IsolaRuntime runtime = IsolaRuntime.withIsolators(isolators)) {
            oci.create(runtime.isola(), id, bundle, plan, options);
        }
        // for the start, state and delete the engine calls next (this verb runs in the engine's
        // process tree, never in a server: the container must be a child of conmon or the shim)
        ServerStarter.startIfNone(System.getenv());
        return 0;
    }
}
