package io.isola.ns.mount;

import io.isola.spi.ChildSteps;
import io.isola.spi.Phase;
import io.isola.spi.Step;
import java.util.ArrayList;
import java.util.List;

/**
 * The steps planned for one container, kept so that the plan is made (and bad input rejected) in
 * {@code prepare}, before anything exists, and so that tests can read it without starting anything.
 */
final class PlannedSteps implements ChildSteps {

    /** A step, or a checkpoint when {@code step} is null. */
    record Planned(Phase phase, Step step, String checkpoint) {}

    private final List<Planned> planned = new ArrayList<>();

    @Override
    public void add(Phase phase, Step step) {
        planned.add(new Planned(phase, step, null));
    }

    @Override
    public void checkpoint(Phase phase, String description) {
        planned.add(new Planned(phase, null, description));
    }

    List<Planned> planned() {
        return List.copyOf(planned);
    }

    void replay(ChildSteps steps) {
        for (Planned p : planned) {
            if (p.step() != null) {
                steps.add(p.phase(), p.step());
            } else {
                steps.checkpoint(p.phase(), p.checkpoint());
            }
        }
    }
}
