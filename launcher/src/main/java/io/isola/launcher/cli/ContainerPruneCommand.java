package io.isola.launcher.cli;

import io.isola.launcher.image.TreeSize;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Lifecycle;
import io.isola.lifecycle.SavedRoot;
import io.isola.lifecycle.StateStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code isola container prune [-f]}, as Docker's: removes every stopped container (state,
 * writable layer), after asking unless {@code -f}, and prints their ids and the space their
 * writable layers took. Containers an engine created from an OCI bundle are the engine's and left be.
 */
@Command(
        name = "prune",
        description = {
            "Remove all stopped containers (asks first unless -f). isola leaves the",
            "containers an engine created from an OCI bundle to that engine."
        })
final class ContainerPruneCommand implements Callable<Integer> {

    @ParentCommand
    private ContainerCommand container;

    @Option(
            names = {"-f", "--force"},
            description = "Do not ask.")
    private boolean force;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException, IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (!force && !confirmed(out, "WARNING! This will remove all stopped containers.\n")) {
            return 0;
        }
        report(prune(new Lifecycle(root()), container.parent().config()), out);
        return 0;
    }

    /** The stopped containers removed and the bytes their writable layers took. */
    record Pruned(List<String> deleted, long reclaimed) {}

    /** Removes every stopped container that is not an engine's. */
    static Pruned prune(Lifecycle lifecycle, Path config) throws InterruptedException {
        ContainerRemoval removal = new ContainerRemoval(lifecycle, config);
        List<String> deleted = new ArrayList<>();
        long reclaimed = 0;
        try {
            for (ContainerState state : lifecycle.list()) {
                if (state.status() != ContainerState.Status.STOPPED || state.bundle() != null) {
                    continue;
                }
                long size = layerSize(state);
                removal.remove(state.id(), false);
                deleted.add(state.id());
                reclaimed += size;
            }
        } finally {
            removal.finish();
        }
        return new Pruned(deleted, reclaimed);
    }

    /** As Docker prints it: the ids under "Deleted Containers:", then the total. */
    static void report(Pruned pruned, PrintWriter out) {
        if (!pruned.deleted().isEmpty()) {
            out.println("Deleted Containers:");
            pruned.deleted().forEach(out::println);
            out.println();
        }
        out.println("Total reclaimed space: " + ByteSizes.human(pruned.reclaimed()));
        out.flush();
    }

    /** The state store of the root command's --root, which a subcommand of a subcommand reaches through its parent. */
    private StateStore root() {
        return container.parent().global().store();
    }

    static boolean confirmed(PrintWriter out, String warning) throws IOException {
        out.print(warning + "Are you sure you want to continue? [y/N] ");
        out.flush();
        String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        return answer != null
                && (answer.strip().equalsIgnoreCase("y") || answer.strip().equalsIgnoreCase("yes"));
    }

    /** The bytes of a stopped container's writable layer (no process writes it now; links are not followed). */
    private static long layerSize(ContainerState state) {
        SavedRoot root = state.savedRoot();
        if (root == null || root.writableLayer() == null) {
            return 0;
        }
        return TreeSize.orZero(Path.of(root.writableLayer()));
    }
}
