package io.isola.launcher;

import io.isola.api.ExecFailedException;
import io.isola.api.IsolaException;
import io.isola.internal.launch.StartupTrace;
import io.isola.launcher.cli.DockerCreate;
import io.isola.launcher.cli.ErrorLog;
import io.isola.launcher.cli.IsolaCommand;
import io.isola.launcher.cli.NearestName;
import io.isola.launcher.cli.VerbSelection;
import io.isola.launcher.cli.run.DockerOnlyFlags;
import io.isola.launcher.client.FailureStatus;
import io.isola.launcher.image.ContainerLayers;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;

/**
 * The {@code isola} command line. Exit statuses follow Docker's CLI (docker/cli
 * cmd/docker/docker.go and cli/cobra.go): {@code run} (and Docker's {@code create}, which is
 * {@code run --create-only} here) exits with the container's own status (128 + N when signal N
 * killed it), 126 or 127 when its command cannot run or is not found, and 125 when isola itself
 * failed; every other verb that fails exits 1, as Docker's do. A bad option is Docker's flag
 * error, 125, for every verb Docker has; runc's own verbs ({@link #RUNC_VERBS}), and those both
 * have when an engine calls them ({@link #SHARED_VERBS}), exit runc's 1.
 * isola alone and a group alone ({@code isola volume}) show their usage on stderr and exit 0.
 */
public final class Main {

    /** isola's own failures in {@code run}, as opposed to the container's exit statuses (docker run's 125). */
    static final int RUNTIME_ERROR = FailureStatus.RUN;

    /** Any other verb's failure: runc's status for its verbs, Docker's for every verb but run and create. */
    static final int VERB_ERROR = FailureStatus.OTHER;

    /** Docker's status for a bad option of any of its verbs (its CLI's flag errors). */
    static final int OPTION_ERROR = 125;

    /**
     * The verbs that runc has and Docker has not (create is the OCI one: Docker's is run here),
     * whose usage errors exit {@link #VERB_ERROR} as runc's do.
     */
    static final Set<String> RUNC_VERBS = Set.of("create", "state", "delete", "list", "resume", "features", "spec");

    /**
     * The verbs both have: Docker's 125 for a bad option, but runc's 1 when an engine calls them
     * (with runc's --log, which containerd's shim passes through go-runc and a Docker user does not).
     */
    static final Set<String> SHARED_VERBS = Set.of("start", "kill", "exec", "ps", "pause");

    /** The verbs whose positionals end in a command line of the container's own. */
    private static final List<String> COMMAND_TAKING_VERBS = List.of("run", "exec");

    private Main() {}

    public static void main(String[] args) {
        StartupTrace.mark("main");
        BootAhead.startFor(args);
        int status;
        try {
            status = execute(args);
        } finally {
            BootAhead.closeUnclaimed();
        }
        StartupTrace.mark("exit");
        System.exit(status);
    }

    /** Runs the command line and returns the exit status instead of exiting. */
    public static int execute(String[] args) {
        // UTF-8 whatever the locale says (JDK 17 takes a C locale's ASCII): names, labels and file
        // names reach the user as the bytes they were given, as Docker's output does
        return execute(
                args,
                new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true),
                new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
    }

    static int execute(String[] given, PrintWriter out, PrintWriter err) {
        String[] args = DockerCreate.rewrite(given);
        CommandLine cli = commandLine(out, err, args);
        sweepingLayers(cli);
        return cli.execute(args);
    }

    /**
     * Makes {@code cli} sweep writable layers that nothing will use again before and after its
     * command: a killed JVM's, and (after) a failed start's, whose layer was kept for a state that
     * the failure then removed. Once the command line is parsed, as the sweep may log and the
     * first logger fixes the log level, which --debug sets while it is parsed.
     */
    public static void sweepingLayers(CommandLine cli) {
        cli.setExecutionStrategy(parsed -> {
            ContainerLayers.sweepQuietly();
            try {
                return new CommandLine.RunLast().execute(parsed);
            } finally {
                ContainerLayers.sweepQuietly();
            }
        });
    }

    /** The parser with isola's conventions: docker's exit statuses and one-line errors. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return commandLine(out, err, new String[0]);
    }

    /** The parser for {@code args}: with only the verb they name (see {@link VerbSelection}). */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err, String[] args) {
        IsolaCommand root = new IsolaCommand();
        CommandLine cli = new CommandLine(root);
        // before the settings below: picocli passes them on to the subcommands it has
        VerbSelection.addVerbs(cli, args);
        cli.setOut(out);
        cli.setErr(err);
        // everything from the container's command on is its own: "isola run sh -c 'ls -l'"; the
        // other verbs take options after their ids too, as Docker's do ("isola rm c1 -f")
        for (String verb : COMMAND_TAKING_VERBS) {
            CommandLine sub = cli.getSubcommands().get(verb);
            if (sub != null) {
                sub.setStopAtPositional(true);
            }
        }
        CommandLine run = cli.getSubcommands().get("run");
        if (run != null) {
            DockerOnlyFlags.addTo(run.getCommandSpec());
        }
        cli.setParameterExceptionHandler(usageError());
        cli.setExecutionExceptionHandler(runtimeError(root));
        return cli;
    }

    private static IParameterExceptionHandler usageError() {
        return (e, args) -> {
            CommandLine command = e.getCommandLine();
            PrintWriter err = command.getErr();
            err.println("isola: " + lowerFirst(e.getMessage()) + nearest(e));
            err.println("see '" + command.getCommandSpec().qualifiedName() + " --help'");
            return usageStatus(e);
        };
    }

    private static IExecutionExceptionHandler runtimeError(IsolaCommand root) {
        return (e, command, parsed) -> {
            PrintWriter err = command.getErr();
            String message = e instanceof IllegalArgumentException || e instanceof IsolaException
                    ? e.getMessage()
                    : "internal error: " + e;
            err.println("isola: " + message);
            ErrorLog.record(root.global(), message); // runc's --log, which engines read

            if (root.debug()) {
                e.printStackTrace(err);
            }
            err.flush();
            // as a shell, docker run and docker exec do: 127 when the command is not found, 126 when it
            // cannot run; Docker's other verbs (start, restart) fail with their 1 for it too
            String verb = verbOf(command);
            return e instanceof ExecFailedException exec && ("run".equals(verb) || "exec".equals(verb))
                    ? exec.shellCode()
                    : failureStatus(verb);
        };
    }

    /** The top-level verb that {@code command} is or is under; null for the root command. */
    private static String verbOf(CommandLine command) {
        CommandLine verb = command;
        while (verb.getParent() != null && verb.getParent().getParent() != null) {
            verb = verb.getParent();
        }
        return verb.getParent() != null ? verb.getCommandName() : null;
    }

    /**
     * The status with which {@code verb} (null: none) fails once its command line is parsed:
     * {@link #RUNTIME_ERROR} for run (Docker's create is run here), {@link #VERB_ERROR} for any other.
     */
    static int failureStatus(String verb) {
        return FailureStatus.ofVerb(verb);
    }

    /**
     * The status of a command line that cannot be parsed, as Docker's and runc's CLIs give it: a bad
     * option is Docker's flag error ({@link #OPTION_ERROR}); a missing or extra argument (Docker's
     * "requires at least 1 argument") and an unknown verb ("is not a docker command") exit 1; runc's
     * verbs exit runc's 1 for anything.
     */
    static int usageStatus(CommandLine.ParameterException e) {
        String verb = verbOf(e.getCommandLine());
        if (verb != null
                && (RUNC_VERBS.contains(verb) || SHARED_VERBS.contains(verb) && byEngine(e.getCommandLine()))) {
            return VERB_ERROR;
        }
        if (e instanceof CommandLine.MissingParameterException missing
                && missing.getMissing().stream().allMatch(a -> a.isPositional())) {
            return VERB_ERROR;
        }
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched
                && !unmatched.getUnmatched().isEmpty()
                && !unmatched.getUnmatched().get(0).startsWith("-")) {
            return VERB_ERROR; // an extra argument, or (on the root command) an unknown verb
        }
        return OPTION_ERROR;
    }

    /** Whether the command line of {@code command} carries runc's --log, as containerd's does. */
    private static boolean byEngine(CommandLine command) {
        CommandLine root = command;
        while (root.getParent() != null) {
            root = root.getParent();
        }
        return root.getCommand() instanceof IsolaCommand isola && isola.global().runcLog();
    }

    /**
     * For an unknown verb or option, the nearest known ones, as docker suggests them
     * ({@code --memroy}: did you mean --memory?); hidden options (Docker's refused flags) are not offered.
     */
    private static String nearest(CommandLine.ParameterException e) {
        if (!(e instanceof CommandLine.UnmatchedArgumentException unmatched)
                || unmatched.getUnmatched().isEmpty()) {
            return "";
        }
        String typed = unmatched.getUnmatched().get(0);
        CommandLine.Model.CommandSpec spec = e.getCommandLine().getCommandSpec();
        Collection<String> known;
        if (typed.startsWith("-")) {
            int equals = typed.indexOf('=');
            typed = equals > 0 ? typed.substring(0, equals) : typed;
            known = spec.options().stream()
                    .filter(o -> !o.hidden())
                    .flatMap(o -> Arrays.stream(o.names()))
                    .filter(n -> n.startsWith("--"))
                    .toList();
        } else {
            known = spec.subcommands().entrySet().stream()
                    .filter(c -> !c.getValue().getCommandSpec().usageMessage().hidden())
                    .map(Map.Entry::getKey)
                    .toList();
        }
        List<String> nearest = NearestName.of(typed, known);
        return nearest.isEmpty() ? "" : "; did you mean " + String.join(" or ", nearest) + "?";
    }

    private static String lowerFirst(String message) {
        return message.isEmpty() ? message : Character.toLowerCase(message.charAt(0)) + message.substring(1);
    }
}
