package io.isola.spi;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One libc call that the container's child makes during its setup, before the user's command runs.
 *
 * <p>The child runs no Java: a step names a libc function by its symbol and gives its arguments,
 * which the host prepares in native memory. The call's errno is reported back to the host, which
 * names the step by its {@code description} when it fails. Only async-signal-safe functions that
 * take no lock may be used (thin syscall wrappers such as {@code mount}, {@code sethostname},
 * {@code mkdir}, {@code chdir}, {@code prctl}, {@code syscall}); never {@code malloc}, stdio,
 * {@code getenv} or anything that can block on another thread.
 *
 * @param description what the step does, in words a user understands ("mount proc on /proc")
 * @param symbol the libc function to call
 * @param args at most six arguments
 * @param toleratedErrnos errno names that count as success ({@code EEXIST} for {@code mkdir})
 */
public record Step(String description, String symbol, List<Arg> args, Set<String> toleratedErrnos) {

    /** glibc's makecontext passes at most six integer arguments in registers. */
    public static final int MAX_ARGS = 6;

    public Step {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(symbol, "symbol");
        args = List.copyOf(args);
        toleratedErrnos = Set.copyOf(toleratedErrnos);
        if (args.size() > MAX_ARGS) {
            throw new IllegalArgumentException("step '" + description + "' has " + args.size() + " arguments, at most "
                    + MAX_ARGS + " are allowed");
        }
    }

    /** A call of {@code symbol} with the given arguments. */
    public static Step call(String description, String symbol, Arg... args) {
        return new Step(description, symbol, List.of(args), Set.of());
    }

    /** This step, with errnos that do not count as a failure. */
    public Step tolerating(String... errnoNames) {
        return new Step(description, symbol, args, Set.of(errnoNames));
    }
}
