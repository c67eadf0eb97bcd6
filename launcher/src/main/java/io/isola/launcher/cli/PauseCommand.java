package io.isola.launcher.cli;

import io.isola.api.IsolaException;
import io.isola.api.ResourceControl;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Lifecycle;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code isola pause ID...}: freezes every process of each container (the cgroup freezer), as docker pause. */
@Command(name = "pause", description = "Freeze every process of running containers; resume continues them.")
final class PauseCommand extends ContainerVerb {

    @Override
    public Integer call() throws InterruptedException {
        return toggle(this, true);
    }

    /** Pauses ({@code pause}) or resumes the containers; every one is checked before any is touched. */
    static int toggle(ContainerVerb command, boolean pause) throws InterruptedException {
        String verb = pause ? "pause" : "resume";
        Lifecycle lifecycle = command.lifecycle();
        List<String> ids = command.ids();
        List<ContainerState> states =
                ids.stream().map(id -> lifecycle.cgroupOf(id, verb)).toList();
        for (ContainerState state : states) {
            requireToggle(state, state.isola().paused(), pause);
        }
        try (CgroupAccess cgroups = CgroupAccess.open(command.parent().config())) {
            for (int i = 0; i < states.size(); i++) {
                ContainerState state = states.get(i);
                ResourceControl control = cgroups.of(state);
                requireToggle(state, control.paused(), pause); // the kernel's word, should the state be stale
                if (pause) {
                    control.pause();
                } else {
                    control.resume();
                }
                lifecycle.recordPaused(state, pause);
                command.out().println(ids.get(i));
            }
        }
        command.out().flush();
        return 0;
    }

    private static void requireToggle(ContainerState state, boolean paused, boolean pause) {
        if (pause && paused) {
            throw new IsolaException("container " + state.id() + " is already paused");
        }
        if (!pause && !paused) {
            throw new IsolaException("container " + state.id() + " is not paused");
        }
    }
}
