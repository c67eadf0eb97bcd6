package io.isola.internal.launch;

import io.isola.api.TimeNamespace;
import io.isola.internal.chain.ChildProgram;
import io.isola.internal.chain.CloneMode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * How a {@link Launch} gets its child: {@link ThreadCloner} clones on the runtime's cloning
 * threads; a test's fake plays a scripted child, so that the protocol's side of a start (records,
 * checkpoints, the gate, a kill on failure) runs without a kernel.
 */
interface ChildCloner extends AutoCloseable {

    /**
     * Starts cloning the child that runs {@code program}, with the protocol's ends {@code statusFd}
     * and {@code gateFd}; the arguments are {@link io.isola.internal.chain.CloneThreads}'s.
     */
    Clone clone(
            ChildProgram program,
            int namespaceFlags,
            int statusFd,
            int gateFd,
            CloneMode mode,
            int pidNamespaceFd,
            TimeNamespace time);

    @Override
    void close();

    /** One clone under way; closed once the cloning thread is done or the child is reaped. */
    interface Clone extends AutoCloseable {

        /** The cloning thread's end: the child's pid once it exec'd or exited. */
        Future<Integer> done();

        /** The child's pid, written before it ran: to be read once its first record came. */
        long childPid();

        @Override
        void close();

        /** A child that another process cloned and reported as {@code pid}. */
        static Clone done(long pid) {
            return new Clone() {
                @Override
                public Future<Integer> done() {
                    return CompletableFuture.completedFuture((int) pid);
                }

                @Override
                public long childPid() {
                    return pid;
                }

                @Override
                public void close() {}
            };
        }
    }
}
