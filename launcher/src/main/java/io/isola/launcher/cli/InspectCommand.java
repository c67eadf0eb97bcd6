package io.isola.launcher.cli;

import io.isola.lifecycle.Inspection;
import io.isola.lifecycle.Lifecycle;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code isola inspect ID...}: a JSON array, one object per container (see {@link Inspection}). */
@Command(name = "inspect", description = "Show containers' config, state and namespaces as JSON.")
final class InspectCommand implements Callable<Integer> {

    @ParentCommand
    private IsolaCommand parent;

    @Parameters(arity = "1..*", paramLabel = "ID")
    private List<String> ids;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        Lifecycle lifecycle = new Lifecycle(parent.global().store());
        List<Object> result = ids.stream().map(id -> (Object) Inspection.of(lifecycle.get(id))).toList();
        spec.commandLine().getOut().println(Inspection.json(result));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
