package io.isola.launcher.cli;

import io.isola.api.IsolaException;
import io.isola.lifecycle.Lifecycle;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
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

    /**
     * Applies {@code action} to each container in turn and prints its id after it, as docker's verbs
     * do. One id that fails fails the verb as any error does; of several, as Docker's, every one is
     * tried, each failure is one line on stderr, and the status is 1 if any failed.
     */
    final int eachPrintingItsId(Action action) throws InterruptedException {
        int failed = 0;
        for (String id : ids) {
            try {
                action.apply(id);
            } catch (RuntimeException e) {
                if (ids.size() == 1 || !(e instanceof IllegalArgumentException || e instanceof IsolaException)) {
                    throw e;
                }
                failed++;
                reportFailure(e);
                continue;
            }
            out().println(id);
        }
        out().flush();
        return failed == 0 ? 0 : SOME_FAILED;
    }

    /** Docker's status when a verb on several containers failed for some of them. */
    static final int SOME_FAILED = 1;

    /** One line on stderr for a container the verb could not act on, as Main words every error. */
    final void reportFailure(RuntimeException e) {
        out().flush();
        spec.commandLine().getErr().println("isola: " + e.getMessage());
        spec.commandLine().getErr().flush();
    }
}
