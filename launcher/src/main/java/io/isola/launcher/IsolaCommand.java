package io.isola.launcher;

import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code isola}: the global options; the verbs are subcommands, one class each. */
@Command(name = "isola",
        mixinStandardHelpOptions = true,
        versionProvider = IsolaCommand.Version.class,
        description = "Runs commands in Linux namespaces; each namespace type is an OSGi bundle.",
        subcommands = {RunCommand.class, ImageCommand.class, ImagesCommand.class, ListCommand.class, PsCommand.class,
            ExecCommand.class, KillCommand.class, StopCommand.class, RmCommand.class, LogsCommand.class,
            InspectCommand.class, WaitCommand.class, MonitorCommand.class, CreateCommand.class, StartCommand.class,
            StateCommand.class, DeleteCommand.class, FeaturesCommand.class, SpecCommand.class})
final class IsolaCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Mixin
    private GlobalOptions global = new GlobalOptions();

    private boolean debug;

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "Log at debug level on stderr and show stack traces.")
    void debug(boolean value) {
        debug = value;
        if (value) {
            // set while parsing, before the first logger exists, which is when slf4j-simple reads it
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "debug");
        }
    }

    GlobalOptions global() {
        return global;
    }

    boolean debug() {
        return debug;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: expected one of: "
                + String.join(", ", spec.subcommands().keySet()));
    }

    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"isola " + BuildInfo.version()};
        }
    }
}
