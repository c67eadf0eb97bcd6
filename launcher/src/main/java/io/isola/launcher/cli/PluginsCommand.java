package io.isola.launcher.cli;

import io.isola.launcher.IsolaRuntime;
import io.isola.launcher.framework.PluginStatus;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code isola plugins}: the isolators the framework knows of, from bundles/ and plugins/. */
@Command(
        name = "plugins",
        description = {
            "Lists the installed isolators: bundle, version, clone flag, phases and state.",
            "State is \"on by default\", \"off by default\" (enabled = false in its .cfg), \"rejected: ...\" or \"failed: ...\"."
        })
final class PluginsCommand implements Callable<Integer> {

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help and exit.")
    private boolean help;

    @ParentCommand
    private IsolaCommand parent;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        try (IsolaRuntime isola = parent.runtime()) {
            print(isola.plugins(), spec.commandLine().getOut());
        }
        return 0;
    }

    static void print(List<PluginStatus> rows, PrintWriter out) {
        List<String[]> table = new ArrayList<>();
        table.add(new String[] {"NAME", "BUNDLE", "VERSION", "CLONE FLAG", "PHASES", "STATE"});
        for (PluginStatus row : rows) {
            table.add(new String[] {
                dash(row.name()),
                row.bundle(),
                row.version(),
                dash(row.cloneFlag()),
                row.phases().isEmpty() ? "-" : String.join(",", row.phases()),
                row.state()
            });
        }
        int[] widths = new int[5];
        for (String[] line : table) {
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        for (String[] line : table) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < widths.length; i++) {
                text.append(String.format("%-" + widths[i] + "s  ", line[i]));
            }
            out.println(text.append(line[5]));
        }
        out.flush();
    }

    private static String dash(String value) {
        return value == null ? "-" : value;
    }
}
