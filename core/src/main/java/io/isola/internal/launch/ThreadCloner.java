package io.isola.internal.launch;

import io.isola.api.TimeNamespace;
import io.isola.internal.chain.ChildProgram;
import io.isola.internal.chain.CloneMode;
import io.isola.internal.chain.CloneThreads;
import io.isola.internal.nativ.NativeMemory;
import java.util.concurrent.Future;

/** {@link ChildCloner} on the kernel: the runtime's {@link CloneThreads}. */
final class ThreadCloner implements ChildCloner {

    private final CloneThreads threads;

    ThreadCloner(CloneThreads threads) {
        this.threads = threads;
    }

    @Override
    public Clone clone(
            ChildProgram program,
            int namespaceFlags,
            int statusFd,
            int gateFd,
            CloneMode mode,
            int pidNamespaceFd,
            TimeNamespace time) {
        // the child's pid (CLONE_PARENT_SETTID), then at +8 the pid of the sibling it spawns, which the
        // chain reports in the spawn record
        NativeMemory parentTid = new NativeMemory(16);
        try {
            Future<Integer> done = threads.clone(
                    program, namespaceFlags, statusFd, gateFd, parentTid.address(), mode, pidNamespaceFd, time);
            return new Clone() {
                @Override
                public Future<Integer> done() {
                    return done;
                }

                @Override
                public long childPid() {
                    return NativeMemory.getInt(parentTid.address());
                }

                @Override
                public void close() {
                    parentTid.close();
                }
            };
        } catch (RuntimeException e) {
            parentTid.close();
            throw e;
        }
    }

    @Override
    public void close() {
        threads.close();
    }
}
