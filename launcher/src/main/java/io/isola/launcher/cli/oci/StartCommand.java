package io.isola.launcher.cli.oci;

import io.isola.launcher.IsolaRuntime;
import io.isola.launcher.cli.IsolaCommand;

import io.isola.oci.OciRuntime;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** OCI {@code start}: opens the gate of a created container; returns once its command runs. */
@Command(name = "start", description = "Start a created container (OCI runtime verb).")
public final class StartCommand implements Callable<Integer> {

    @ParentCommand
    private IsolaCommand parent;

    @Parameters(index = "0", paramLabel = "ID")
    private String id;

    @Override
    public Integer call() {
        try (IsolaRuntime runtime = IsolaRuntime.bare()) { // no isolators: startContainer hooks only join
            new OciRuntime(parent.global().store(), parent.global().ociOptions()).start(runtime.isola(), id,
                    HooksRunInProcess.GATE);
        }
        return 0;
    }
}
