package io.isola.launcher.cli;

import io.isola.launcher.BuildInfo;
import io.isola.launcher.IsolaRuntime;
import io.isola.launcher.Layout;
import io.isola.launcher.cli.oci.CreateCommand;
import io.isola.launcher.cli.oci.DeleteCommand;
import io.isola.launcher.cli.oci.FeaturesCommand;
import io.isola.launcher.cli.oci.SpecCommand;
import io.isola.launcher.cli.oci.StartCommand;
import io.isola.launcher.cli.oci.StateCommand;
import io.isola.launcher.cli.run.RunCommand;
import io.isola.launcher.server.Invocation;
import io.isola.launcher.server.ServerCommand;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code isola}: the global options; the verbs are subcommands, one class each. */
@Command(
        name = "isola",
        mixinStandardHelpOptions = true,
        versionProvider = IsolaCommand.Version.class,
        description = "Runs commands in Linux namespaces; each namespace type is an OSGi bundle.")
public final class IsolaCommand implements Runnable {

    /**
     * The verbs, one subcommand class each. Not in the annotation: picocli builds the model of
     * every subcommand it is given, by reflection, which costs more than running a container from
     * a warm server, so {@link VerbSelection} adds only the verb a command line names.
     */
    public static final List<Class<?>> VERBS = List.of(
            RunCommand.class,
            ImageCommand.class,
            ImagesCommand.class,
            ListCommand.class,
            PsCommand.class,
            ExecCommand.class,
            KillCommand.class,
            StopCommand.class,
            RmCommand.class,
            LogsCommand.class,
            InspectCommand.class,
            RestartCommand.class,
            WaitCommand.class,
            PauseCommand.class,
            ResumeCommand.class,
            StatsCommand.class,
            MonitorCommand.class,
            CreateCommand.class,
            StartCommand.class,
            StateCommand.class,
            DeleteCommand.class,
            FeaturesCommand.class,
            SpecCommand.class,
            PluginsCommand.class,
            ExportCommand.class,
            PullCommand.class,
            LoginCommand.class,
            LogoutCommand.class,
            TagCommand.class,
            SaveCommand.class,
            LoadCommand.class,
            PushCommand.class,
            HistoryCommand.class,
            CommitCommand.class,
            RenameCommand.class,
            TopCommand.class,
            PortCommand.class,
            DiffCommand.class,
            CpCommand.class,
            UpdateCommand.class,
            SystemCommand.class,
            EventsCommand.class,
            AttachCommand.class,
            ContainerCommand.class,
            VolumeCommand.class,
            NetworkCommand.class,
            VersionCommand.class,
            InfoCommand.class,
            ServerCommand.class);

    @Spec
    private CommandSpec spec;

    @Mixin
    private GlobalOptions global = new GlobalOptions();

    private boolean debug;

    @Option(
            names = "--debug",
            scope = ScopeType.INHERIT,
            description = "Log at debug level on stderr and show stack traces.")
    public void debug(boolean value) {
        debug = value;
        // set while parsing, before the first logger exists, which is when slf4j-simple reads it:
        // its configuration is system properties only (no API sets a level). Never in the resident
        // server (its clients run --debug in-process): the level is the JVM's, every later command's
        if (value && Invocation.current() == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "debug");
        }
    }

    @Option(
            names = "--config",
            paramLabel = "DIR",
            scope = ScopeType.INHERIT,
            description = "Configuration directory (default: $ISOLA_CONF, else conf/ of the distribution).")
    private Path config;

    public GlobalOptions global() {
        return global;
    }

    public boolean debug() {
        return debug;
    }

    /**
     * The command line's {@code --config}, or null: what the verbs pass to
     * {@link IsolaRuntime#withIsolators}. The resident server runs several command lines at once in
     * one JVM, so it is this command object's, never the JVM's.
     */
    public Path config() {
        return config;
    }

    /** The embedded runtime as the distribution and the configuration directory describe it. */
    IsolaRuntime runtime() {
        return IsolaRuntime.withBundles(Layout.bundles())
                .config(Layout.conf(config))
                .pollFromSettings()
                .start();
    }

    @Override
    public void run() {
        GroupUsage.show(spec);
    }

    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"isola " + BuildInfo.version()};
        }
    }
}
