package io.isola.launcher.cli.oci;

import io.isola.launcher.cli.ErrorLog;
import io.isola.launcher.cli.IsolaCommand;
import io.isola.launcher.cli.LeftoverSweep;
import io.isola.lifecycle.ContainerState;
import io.isola.oci.OciRuntime;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * OCI {@code delete}: removes a created or stopped container; --force kills a running one, and
 * takes a container that is gone already as deleted (exit 0, as runc's and crun's).
 */
@Command(name = "delete", description = "Delete a container (OCI runtime verb).")
public final class DeleteCommand implements Callable<Integer> {

    @ParentCommand
    private IsolaCommand parent;

    @Option(
            names = {"-f", "--force"},
            description = "Kill the container if it runs.")
    private boolean force;

    @Parameters(index = "0", paramLabel = "ID")
    private String id;

    @Override
    public Integer call() throws InterruptedException {
        ContainerState deleted = new OciRuntime(
                        parent.global().store(), parent.global().ociOptions())
                .onWarning(message -> ErrorLog.warn(parent.global(), message))
                .delete(id, force, HooksRunInProcess.GATE);
        if (deleted != null && LeftoverSweep.neededAfter(deleted)) {
            // an OCI container has no monitor: its own process owned what the plugins hold for it
            // (its network state), released now that it is gone, so that its id is free again
            LeftoverSweep.run(parent.config());
        }
        return 0;
    }
}
