package io.isola.internal.chain;

import io.isola.internal.nativ.Errno;
import io.isola.spi.Step;
import java.util.Set;

/**
 * What the host expects at one position of the status pipe: which op wrote it, and which errnos
 * count as success there, by name: they are only looked up when a record is not 0, which keeps the
 * hundred-odd records of a launch cheap to list. A checkpoint may carry host-side work to finish
 * before it is answered ({@code hostSide}, else null).
 */
public record ExpectedRecord(
        Kind kind,
        String owner,
        String description,
        Set<String> toleratedErrnos,
        java.util.concurrent.Future<?> hostSide) {

    public ExpectedRecord(Kind kind, String owner, String description, Set<String> toleratedErrnos) {
        this(kind, owner, description, toleratedErrnos, null);
    }

    public enum Kind {
        STEP,
        CHECKPOINT,
        SPAWN,
        GATE,
        EXEC
    }

    static ExpectedRecord step(String owner, Step step) {
        return new ExpectedRecord(Kind.STEP, owner, step.description(), step.toleratedErrnos());
    }

    static ExpectedRecord checkpoint(String owner, String description, java.util.concurrent.Future<?> hostSide) {
        return new ExpectedRecord(Kind.CHECKPOINT, owner, description, Set.of(), hostSide);
    }

    static ExpectedRecord spawn(String owner, String description) {
        return new ExpectedRecord(Kind.SPAWN, owner, description, Set.of());
    }

    static ExpectedRecord gate() {
        return new ExpectedRecord(Kind.GATE, "core", "wait at the gate", Set.of());
    }

    static ExpectedRecord exec(String path) {
        return new ExpectedRecord(Kind.EXEC, "core", "execute " + path, Set.of());
    }

    public boolean accepts(int errno) {
        if (errno == 0) {
            return true;
        }
        for (String name : toleratedErrnos) {
            if (Errno.value(name) == errno) {
                return true;
            }
        }
        return false;
    }
}
