package io.isola.launcher.server;

import io.isola.launcher.Main;
import io.isola.launcher.cli.IsolaCommand;
import io.isola.launcher.cli.VerbSelection;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The parsers of the server's commands. Making one is the same work every time, and not little
 * for a long-lived server on C1 code: reflection over the verb's options, and picocli's arity
 * parsing throws (and catches) about 120 exceptions for {@code run} alone: 1.5-5 ms of CPU a
 * command. Which parser a command line needs depends only on its verb ({@link VerbSelection}).
 *
 * <p>The engines' verbs ({@link #REUSED}) keep their parsers: one serves one command at a time
 * (picocli's objects are not thread-safe: a parser is taken out of the pool for the command and
 * given back after it; commands at once get parsers of their own), and picocli resets every
 * option and parameter to its initial value before each parse. That is safe only where the
 * command objects hold nothing but options whose initial values never change (null, false, a
 * string): so for these verbs only, whose classes were read for it, and never after a command
 * line with {@code --debug} or {@code --config}, whose setters picocli cannot reset. Every other
 * verb's parser serves one command line, and the next is made after a command has answered its
 * client rather than while the next client waits.
 */
final class PreparedParsers {

    /** The verbs whose parsers serve again: an engine calls them for every container. */
    static final Set<String> REUSED = Set.of("start", "state", "kill", "delete");
    /** Parsers kept per verb: as many as an engine's commands at once, roughly. */
    static final int KEPT = 4;

    private static final PrintWriter NOWHERE = new PrintWriter(Writer.nullWriter());

    /** The root command alone: its options are what {@link VerbSelection#verbClass} skips to find the verb. */
    private final CommandSpec root = new CommandLine(new IsolaCommand()).getCommandSpec();

    private final ConcurrentMap<Class<?>, Queue<Parser>> ready = new ConcurrentHashMap<>();

    /**
     * A parser and its execution-exception handler as {@link Main#commandLine} made it (a session
     * wraps that handler for its own command only).
     */
    record Parser(Class<?> verb, CommandLine cli, IExecutionExceptionHandler handler) {

        private static Parser of(Class<?> verb, CommandLine cli) {
            return new Parser(verb, cli, cli.getExecutionExceptionHandler());
        }
    }

    /** The parser for {@code args}, writing to {@code out} and {@code err}: a ready one when there is one for its verb. */
    Parser take(String[] args, PrintWriter out, PrintWriter err) {
        Class<?> verb = VerbSelection.verbClass(root, args);
        Parser parser = verb == null ? null : pool(verb).poll();
        if (parser == null) {
            return Parser.of(verb, Main.commandLine(out, err, args));
        }
        parser.cli().setOut(out);
        parser.cli().setErr(err);
        return parser;
    }

    /**
     * After {@code parser}'s command line {@code args} has run: gives it back when its verb's
     * parsers serve again, else makes the next parser of that verb unless one waits already.
     */
    void done(Parser parser, String[] args) {
        if (parser.verb() == null) {
            return;
        }
        String name = parser.verb().getAnnotation(Command.class).name();
        Queue<Parser> pool = pool(parser.verb());
        if (REUSED.contains(name) && resettable(args)) {
            if (pool.size() < KEPT) {
                parser.cli().setOut(NOWHERE); // not the client's streams while it waits
                parser.cli().setErr(NOWHERE);
                pool.offer(parser);
            }
        } else if (pool.isEmpty()) {
            pool.offer(Parser.of(parser.verb(), Main.commandLine(NOWHERE, NOWHERE, new String[] {name})));
        }
    }

    /**
     * Whether picocli's reset before a parse undoes all that {@code args} set: not a setter's
     * option, nor an {@code @file} that picocli expands into arguments this cannot see.
     */
    private static boolean resettable(String[] args) {
        for (String arg : args) {
            if (arg.equals("--debug") || arg.equals("--config") || arg.startsWith("--config=") || arg.startsWith("@")) {
                return false;
            }
        }
        return true;
    }

    private Queue<Parser> pool(Class<?> verb) {
        return ready.computeIfAbsent(verb, v -> new ConcurrentLinkedQueue<>());
    }
}
