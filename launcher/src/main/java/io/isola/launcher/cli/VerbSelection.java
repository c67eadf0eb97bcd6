package io.isola.launcher.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Adds to the root command the subcommands a command line needs: the one verb it names, or all
 * of them when it names none that exists (so that {@code isola --help} lists every verb and a
 * misspelt verb gets picocli's suggestions). The root's own options are skipped with their
 * values, as picocli would parse them.
 */
public final class VerbSelection {

    private VerbSelection() {}

    public static void addVerbs(CommandLine root, String[] args) {
        Class<?> verb = verbClass(root.getCommandSpec(), args);
        for (Class<?> candidate : IsolaCommand.VERBS) {
            if (verb == null || candidate == verb) {
                CommandLine command = new CommandLine(candidate);
                if (candidate == TopCommand.class) {
                    command.setStopAtPositional(true); // after CONTAINER, ps's own options (top web -o pid,comm)
                }
                withHelp(command);
                root.addSubcommand(command);
            }
        }
    }

    /**
     * Gives {@code command} and its own subcommands ({@code image import}) a {@code -h, --help}
     * where they have none: every usage error ends "see 'isola VERB --help'", which must answer.
     */
    static void withHelp(CommandLine command) {
        CommandSpec spec = command.getCommandSpec();
        if (spec.findOption("--help") == null) {
            String[] names = spec.findOption("-h") == null ? new String[] {"-h", "--help"} : new String[] {"--help"};
            spec.addOption(OptionSpec.builder(names)
                    .usageHelp(true)
                    .description("Show this help and exit.")
                    .build());
        }
        command.getSubcommands().values().forEach(VerbSelection::withHelp);
    }

    /** The class of the verb {@code args} names, or null when it names none of ours. */
    public static Class<?> verbClass(CommandSpec root, String[] args) {
        String verb = verb(root, args);
        if (verb == null) {
            return null;
        }
        for (Class<?> candidate : IsolaCommand.VERBS) {
            Command command = candidate.getAnnotation(Command.class);
            if (command.name().equals(verb) || List.of(command.aliases()).contains(verb)) {
                return candidate;
            }
        }
        return null;
    }

    /** The first argument that is not an option of the root or its value; null if there is none. */
    static String verb(CommandSpec root, String[] args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("-")) {
                return arg;
            }
            int equals = arg.indexOf('=');
            OptionSpec option = root.findOption(equals < 0 ? arg : arg.substring(0, equals));
            if (option == null) {
                return null; // picocli reports it, with every verb known
            }
            if (equals < 0 && option.arity().min() > 0) {
                i++;
            }
        }
        return null;
    }
}
