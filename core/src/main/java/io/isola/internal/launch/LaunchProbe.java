package io.isola.internal.launch;

import io.isola.internal.chain.ChildProgram;
import io.isola.internal.chain.ExpectedRecord;
import java.util.function.Consumer;

/**
 * A seam for fault-injection and golden tests, empty in production: called on the launching
 * thread with each program a start composes, and after the host has read each step record of a
 * start, with the child's pid. A test blocks there to have the host JVM killed at that point, or
 * kills the child there, and then checks that nothing was left behind and that the command never
 * ran; or it keeps the program, to compare its steps with a golden file.
 */
public final class LaunchProbe {

    /** What a test does at one record. */
    public interface Probe {
        void afterRecord(long childPid, int index, ExpectedRecord record) throws Exception;
    }

    private static volatile Probe probe;
    private static volatile Consumer<ChildProgram> composed;

    private LaunchProbe() {}

    /** Installs {@code value} for every start in this JVM, or removes it with null. */
    public static void set(Probe value) {
        probe = value;
    }

    /**
     * Hands {@code value} every program a start composes in this JVM, before the clone (the golden
     * tests of the step lists), or stops with null.
     */
    public static void onComposed(Consumer<ChildProgram> value) {
        composed = value;
    }

    static void composed(ChildProgram program) {
        Consumer<ChildProgram> current = composed;
        if (current != null) {
            current.accept(program);
        }
    }

    static void fire(long childPid, int index, ExpectedRecord record) {
        Probe current = probe;
        if (current == null) {
            return;
        }
        try {
            current.afterRecord(childPid, index, record);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException("launch probe failed at record " + index, e);
        }
    }
}
