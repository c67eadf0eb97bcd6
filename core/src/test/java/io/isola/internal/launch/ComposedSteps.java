package io.isola.internal.launch;

import io.isola.api.ContainerSpec;
import io.isola.api.Terminal;
import io.isola.internal.chain.ChildProgram;
import io.isola.internal.security.SecurityPlan;
import io.isola.spi.Arg;
import io.isola.spi.Namespace;
import io.isola.spi.Step;
import java.util.EnumSet;
import java.util.List;

/**
 * The steps of a container's composed program (PID and mount namespaces, nothing started), for
 * the tests that read where a step stands and what it is given.
 */
final class ComposedSteps {

    private ComposedSteps() {}

    /** {@code spec}'s steps, with {@code kept} fds kept open and {@code security} planned. */
    static List<Step> of(ContainerSpec spec, List<Integer> kept, SecurityPlan security, boolean nonDumpable) {
        try (StdioPlan stdio = StdioPlan.open(spec)) {
            ChildProgram program = ProgramComposer.compose(
                    spec,
                    EnumSet.of(Namespace.PID, Namespace.MOUNT),
                    List.of(),
                    stdio,
                    kept,
                    List.of(),
                    security,
                    new ProgramComposer.Shape(
                            false, List.of(), spec.extension(Terminal.class).isPresent(), nonDumpable));
            return program.ops().stream()
                    .filter(ChildProgram.Call.class::isInstance)
                    .map(op -> ((ChildProgram.Call) op).step())
                    .toList();
        }
    }

    /** The index of the first step whose description starts with {@code start}; -1 for none. */
    static int indexOf(List<Step> steps, String start) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).description().startsWith(start)) {
                return i;
            }
        }
        return -1;
    }

    /** Argument {@code index} of {@code step}, a word. */
    static long word(Step step, int index) {
        return ((Arg.Word) step.args().get(index)).value();
    }
}
