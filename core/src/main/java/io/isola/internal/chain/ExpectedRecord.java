package io.isola.internal.chain;

import io.isola.internal.nativ.Errno;
import io.isola.spi.Step;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the host expects at one position of the status pipe: which op wrote it, and which errnos
 * count as success there.
 */
public record ExpectedRecord(Kind kind, String owner, String description, Set<Integer> toleratedErrnos) {

    public enum Kind { STEP, CHECKPOINT, SPAWN, GATE, EXEC }

    static ExpectedRecord step(String owner, Step step) {
        Set<Integer> tolerated = step.toleratedErrnos().stream().map(Errno::value).collect(Collectors.toSet());
        return new ExpectedRecord(Kind.STEP, owner, step.description(), tolerated);
    }

    static ExpectedRecord checkpoint(String owner, String description) {
        return new ExpectedRecord(Kind.CHECKPOINT, owner, description, Set.of());
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
        return errno == 0 || toleratedErrnos.contains(errno);
    }
}
