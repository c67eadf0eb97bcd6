package io.isola.launcher.cli;

import io.isola.api.IsolaException;
import io.isola.api.ResourceControl;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Lifecycle;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code isola pause ID...}: freezes every process of each container (the cgroup freezer), as docker pause. */
@Command(name = "pause", description = "Freeze every process of running containers; resume continues them.")
final class PauseCommand implements Callable<Integer> {

    @ParentCommand
    private IsolaCommand parent;

    @Parameters(arity = "1..*", paramLabel = "ID")
    private List<String> ids;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        return toggle(parent, spec, ids, true);
    }

    /** Pauses ({@code pause}) or resumes the containers; every one is checked before any is touched. */
    static int toggle(IsolaCommand parent, CommandSpec spec, List<String> ids, boolean pause) throws InterruptedException {
        String verb = pause ? "pause" : "resume";
        Lifecycle lifecycle = new Lifecycle(parent.global().store());
        List<ContainerState> states = ids.stream().map(id -> lifecycle.cgroupOf(id, verb)).toList();
        for (ContainerState state : states) {
            requireToggle(state, state.isola().paused(), pause);
        }
        try (CgroupAccess cgroups = CgroupAccess.open()) {
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
                spec.commandLine().getOut().println(ids.get(i));
            }
        }
        spec.commandLine().getOut().flush();
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
