package io.isola.internal.launch;

import io.isola.internal.chain.ExpectedRecord;

/**
 * A seam for fault-injection tests, empty in production: called on the launching thread after the
 * host has read each step record of a start, with the child's pid. A test blocks there to have
 * the host JVM killed at that point, or kills the child there, and then checks that nothing was
 * left behind and that the command never ran.
 */
public final class LaunchProbe {

    /** What a test does at one record. */
    public interface Probe {
        void afterRecord(long childPid, int index, ExpectedRecord record) throws Exception;
    }

    private static volatile Probe probe;

    private LaunchProbe() {}

    /** Installs {@code value} for every start in this JVM, or removes it with null. */
    public static void set(Probe value) {
        probe = value;
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
