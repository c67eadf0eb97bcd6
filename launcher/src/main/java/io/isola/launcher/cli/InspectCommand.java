package io.isola.launcher.cli;

import io.isola.lifecycle.Inspection;
import io.isola.lifecycle.Lifecycle;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code isola inspect ID...}: a JSON array, one object per container (see {@link Inspection}). */
@Command(name = "inspect", description = "Show containers' config, state and namespaces as JSON.")
final class InspectCommand extends ContainerVerb {

    @Override
    public Integer call() {
        Lifecycle lifecycle = lifecycle();
        List<Object> result = ids().stream().map(id -> (Object) Inspection.of(lifecycle.get(id))).toList();
        out().println(Inspection.json(result));
        out().flush();
        return 0;
    }
}
