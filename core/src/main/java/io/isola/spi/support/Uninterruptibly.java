package io.isola.spi.support;

/**
 * Waits for host work in a namespace without giving up on an interrupt: returning while the work
 * still runs would let the caller clean up under it. The interrupt is kept for the caller.
 */
final class Uninterruptibly {

    /** A wait that an interrupt can cut short. */
    @FunctionalInterface
    interface Wait {
        void await() throws InterruptedException;
    }

    private Uninterruptibly() {}

    static void await(Wait wait) {
        boolean interrupted = false;
        while (true) {
            try {
                wait.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
