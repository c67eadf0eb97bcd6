package io.isola.internal.launch;

import io.isola.internal.chain.ChildProgram;
import io.isola.spi.ChildSteps;
import io.isola.spi.Phase;
import io.isola.spi.Step;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The steps one isolator contributed to one container, by phase, in the order it added them. */
final class Contribution implements ChildSteps {

    private final String owner;
    private final Map<Phase, List<ChildProgram.Op>> ops = new EnumMap<>(Phase.class);
    private final List<Integer> keptFds = new ArrayList<>();

    Contribution(String owner) {
        this.owner = owner;
    }

    @Override
    public void add(Phase phase, Step step) {
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(step, "step");
        ops.computeIfAbsent(phase, p -> new ArrayList<>()).add(new ChildProgram.Call(owner, step));
    }

    @Override
    public void checkpoint(Phase phase, String description) {
        Objects.requireNonNull(phase, "phase");
        ops.computeIfAbsent(phase, p -> new ArrayList<>()).add(new ChildProgram.Checkpoint(owner, description));
    }

    @Override
    public void checkpoint(Phase phase, String description, java.util.concurrent.Future<?> hostSide) {
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(hostSide, "hostSide");
        ops.computeIfAbsent(phase, p -> new ArrayList<>())
                .add(new ChildProgram.Checkpoint(owner, description, hostSide));
    }

    /** The runtime's own: continues the program in a new process ({@link ChildProgram.Spawn}); never an isolator's. */
    void spawn(Phase phase, String description) {
        ops.computeIfAbsent(phase, p -> new ArrayList<>()).add(new ChildProgram.Spawn(owner, description));
    }

    @Override
    public void keepOpen(int fd) {
        if (fd < 3) {
            throw new IllegalArgumentException("fd " + fd + ": stdio descriptors are always kept; expected 3 or above");
        }
        keptFds.add(fd);
    }

    List<Integer> keptFds() {
        return keptFds;
    }

    String owner() {
        return owner;
    }

    List<ChildProgram.Op> ops(Phase phase) {
        return ops.getOrDefault(phase, List.of());
    }
}
