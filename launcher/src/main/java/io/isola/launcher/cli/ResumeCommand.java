package io.isola.launcher.cli;

import picocli.CommandLine.Command;

/** {@code isola resume ID...}: lets the processes of paused containers run again (docker unpause). */
@Command(name = "resume", aliases = "unpause", description = "Let the processes of paused containers run again.")
final class ResumeCommand extends ContainerVerb {

    @Override
    public Integer call() throws InterruptedException {
        return PauseCommand.toggle(this, false);
    }
}
