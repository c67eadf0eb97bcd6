package io.isola.launcher.cli;

import io.isola.lifecycle.Lifecycle;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * A verb on containers named by id ({@code isola VERB [OPTIONS] ID...}): the ids, the state store
 * of the global options and the command's output, which every such verb needs alike.
 */
abstract class ContainerVerb implements Callable<Integer> {

    @ParentCommand
    private IsolaCommand parent;

    @Parameters(arity = "1..*", paramLabel = "ID")
    private List<String> ids;

    @Spec
    private CommandSpec spec;

    /** What a verb does to one container. */
    interface Action {
        void apply(String id) throws InterruptedException;
    }

    final List<String> ids() {
        return ids;
    }

    final IsolaCommand parent() {
        return parent;
    }

    final CommandSpec spec() {
        return spec;
    }

    final Lifecycle lifecycle() {
        return new Lifecycle(parent.global().store());
    }

    final PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Applies {@code action} to each container in turn and prints its id after it, as docker's verbs do. */
    final int eachPrintingItsId(Action action) throws InterruptedException {
        for (String id : ids) {
            action.apply(id);
            out().println(id);
        }
        out().flush();
        return 0;
    }
}
