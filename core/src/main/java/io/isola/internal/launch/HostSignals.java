package io.isola.internal.launch;

import static io.isola.internal.nativ.Signals.LAST;
import static io.isola.internal.nativ.Signals.SIGKILL;
import static io.isola.internal.nativ.Signals.SIGSTOP;

import io.isola.internal.nativ.SyscallNumbers;
import io.isola.internal.nativ.Syscalls;
import io.isola.internal.nativ.ThinLibc;
import io.isola.spi.Arg;
import io.isola.spi.LibcCall;
import io.isola.spi.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.IntPredicate;

/**
 * The signals whose disposition the child must reset before it unblocks signals: every one this
 * process handles or ignores. A handler would run JVM code in a child that shares the JVM's
 * memory, and an ignored signal would stay ignored in the user's command. The raw rt_sigaction
 * system call is used both ways because glibc's wrapper refuses signals 32 and 33, which a JVM's
 * environment may well have set to ignored.
 */
public final class HostSignals {

    private HostSignals() {}

    /**
     * Signals with a disposition other than SIG_DFL in the process that clones: this one's, and
     * with a {@link RemoteClone} also those the cloning process handles.
     */
    static List<Integer> nonDefault(Syscalls host, RemoteClone remote) {
        List<Integer> signals = nonDefault(host);
        if (remote != null) {
            TreeSet<Integer> union = new TreeSet<>(signals);
            for (int signal : remote.signals()) {
                if (signal < 1 || signal > LAST) {
                    throw new IllegalArgumentException(
                            "signal " + signal + " of the cloning process: expected 1 to " + LAST);
                }
                union.add(signal);
            }
            union.remove(SIGKILL);
            union.remove(SIGSTOP);
            signals = new ArrayList<>(union);
        }
        return signals;
    }

    /**
     * Signals with a disposition other than SIG_DFL, read now from this process through {@code
     * handled} (a thin client's, which may bind libc otherwise than {@link Syscalls#linux()}).
     */
    public static List<Integer> nonDefault(IntPredicate handled) {
        List<Integer> signals = new ArrayList<>();
        for (int signal = 1; signal <= LAST; signal++) {
            if (signal != SIGKILL && signal != SIGSTOP && handled.test(signal)) {
                signals.add(signal);
            }
        }
        return signals;
    }

    /** As {@link #nonDefault(IntPredicate)} through a thin create's binding, without a lambda (its first costs ms). */
    public static List<Integer> nonDefault(ThinLibc thin) {
        return nonDefault(new IntPredicate() {
            @Override
            public boolean test(int signal) {
                return thin.handlesSignal(signal);
            }
        });
    }

    /** Signals with a disposition other than SIG_DFL, read now from this process. */
    static List<Integer> nonDefault(Syscalls host) {
        return nonDefault(host::handlesSignal);
    }

    /** The reset steps, made once each: a JVM handles about a dozen signals, every launch resets them. */
    private static final Step[] RESETS = new Step[LAST + 1];

    /** The child's step that sets {@code signal} back to SIG_DFL. */
    static Step resetStep(int signal) {
        Step step = RESETS[signal];
        if (step == null) {
            step = newResetStep(signal);
            RESETS[signal] = step; // a benign race: equal steps
        }
        return step;
    }

    private static Step newResetStep(int signal) {
        return Step.call(
                "reset the disposition of signal " + signal,
                LibcCall.SYSCALL,
                Arg.word(SyscallNumbers.RT_SIGACTION),
                Arg.word(signal),
                new Arg.Bytes(new byte[SyscallNumbers.KERNEL_SIGACTION_BYTES]),
                Arg.NULL,
                Arg.word(SyscallNumbers.KERNEL_SIGSET_BYTES));
    }
}
