package io.isola.launcher.server;

import io.isola.launcher.Main;
import io.isola.launcher.cli.IsolaCommand;
import io.isola.launcher.cli.VerbSelection;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The parser of each verb's next command line, made once a command has answered its client
 * instead of while the next client waits. Making one is the same work every time, and not
 * little for a long-lived server on C1 code: reflection over the verb's options, and picocli's
 * arity parsing throws (and catches) about 120 exceptions for {@code run} alone: 1.5-5 ms of a
 * served {@code run}. A parser serves one command line only, as its command objects hold what
 * was parsed; which parser a command line needs depends only on its verb ({@link VerbSelection}).
 */
final class PreparedParsers {

    private static final PrintWriter NOWHERE = new PrintWriter(Writer.nullWriter());

    /** The root command alone: its options are what {@link VerbSelection#verbClass} skips to find the verb. */
    private final CommandSpec root = new CommandLine(new IsolaCommand()).getCommandSpec();

    private final ConcurrentMap<Class<?>, CommandLine> ready = new ConcurrentHashMap<>();

    /** The parser for {@code args}, writing to {@code out} and {@code err}: a prepared one when there is one for its verb. */
    CommandLine take(String[] args, PrintWriter out, PrintWriter err) {
        Class<?> verb = VerbSelection.verbClass(root, args);
        CommandLine cli = verb == null ? null : ready.remove(verb);
        if (cli == null) {
            return Main.commandLine(out, err, args);
        }
        cli.setOut(out);
        cli.setErr(err);
        return cli;
    }

    /** Makes the parser of the next command line with the verb of {@code args}, unless one waits already. */
    void prepare(String[] args) {
        Class<?> verb = VerbSelection.verbClass(root, args);
        if (verb != null && !ready.containsKey(verb)) {
            String name = verb.getAnnotation(Command.class).name();
            ready.putIfAbsent(verb, Main.commandLine(NOWHERE, NOWHERE, new String[] {name}));
        }
    }
}
