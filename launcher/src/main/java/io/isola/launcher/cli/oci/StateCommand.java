package io.isola.launcher.cli.oci;

import io.isola.launcher.cli.IsolaCommand;
import io.isola.oci.OciRuntime;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** OCI {@code state}: the container's OCI state as JSON, laid out as runc lays it out. */
@Command(name = "state", description = "Print a container's OCI state (OCI runtime verb).")
public final class StateCommand implements Callable<Integer> {

    @ParentCommand
    private IsolaCommand parent;

    @Parameters(index = "0", paramLabel = "ID")
    private String id;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        // byte for byte as runc prints it, which tools compare against
        spec.commandLine()
                .getOut()
                .print(RuncState.indented(new OciRuntime(parent.global().store()).state(id)));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
