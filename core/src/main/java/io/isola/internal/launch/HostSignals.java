package io.isola.internal.launch;

import io.isola.internal.nativ.LibC;
import io.isola.internal.nativ.Native;
import io.isola.internal.nativ.NativeMemory;
import java.util.ArrayList;
import java.util.List;

/**
 * The signals whose disposition the child must reset before it unblocks signals: every one the
 * JVM (or the application) handles or ignores. A handler would run JVM code in a child that shares
 * the JVM's memory, and an ignored signal would stay ignored in the user's command.
 */
final class HostSignals {

    private static final int SIGKILL = 9, SIGSTOP = 19, LAST = 64;
    private static final int SIGACTION_BYTES = 160;

    private HostSignals() {}

    /** Signals with a disposition other than SIG_DFL, read now from this process. */
    static List<Integer> nonDefault() {
        LibC libc = Native.get().libc();
        List<Integer> signals = new ArrayList<>();
        try (NativeMemory action = new NativeMemory(SIGACTION_BYTES)) {
            for (int signal = 1; signal <= LAST; signal++) {
                if (signal == SIGKILL || signal == SIGSTOP || signal == 32 || signal == 33) {
                    continue; // not changeable, or reserved by glibc for its threads
                }
                if (libc.sigaction(signal, 0, action.address()) == 0 && NativeMemory.getLong(action.address()) != 0) {
                    signals.add(signal);
                }
            }
        }
        return signals;
    }

    /** A zeroed struct sigaction, which is SIG_DFL with an empty mask and no flags. */
    static byte[] defaultAction() {
        return new byte[SIGACTION_BYTES];
    }
}
