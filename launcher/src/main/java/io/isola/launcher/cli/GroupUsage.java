package io.isola.launcher.cli;

import picocli.CommandLine.Model.CommandSpec;

/**
 * What a command that only groups others ({@code isola} itself, {@code isola volume}) does when
 * none is named: its usage on stderr and status 0, as docker's do (docker/cli: {@code RunE:
 * command.ShowHelp(dockerCli.Err())}, which returns no error). An unknown subcommand stays a
 * usage error.
 */
final class GroupUsage {

    private GroupUsage() {}

    static void show(CommandSpec spec) {
        spec.commandLine().usage(spec.commandLine().getErr());
        spec.commandLine().getErr().flush();
    }
}
