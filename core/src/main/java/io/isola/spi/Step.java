package io.isola.spi;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One libc call that the container's child makes during its setup, before the user's command runs.
 *
 * <p>The child runs no Java: a step names a libc function of the closed set {@link LibcCall} (thin,
 * async-signal-safe system-call wrappers) and gives its arguments, which the host prepares in
 * native memory. The call's errno is reported back to the host, which names the step by its
 * {@code description} when it fails.
 *
 * @param description what the step does, in words a user understands ("mount proc on /proc")
 * @param call the libc function to call
 * @param args as many as {@code call} takes, at most six
 * @param toleratedErrnos errno names that count as success ({@code EEXIST} for {@code mkdir})
 */
public record Step(String description, LibcCall call, List<Arg> args, Set<String> toleratedErrnos) {

    /** glibc's makecontext passes at most six integer arguments in registers. */
    public static final int MAX_ARGS = 6;

    public Step {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(call, "call");
        args = List.copyOf(args);
        toleratedErrnos = Set.copyOf(toleratedErrnos);
        if (!call.takes(args.size())) {
            throw new IllegalArgumentException("step '" + description + "' calls " + call.symbol() + " with "
                    + args.size() + " arguments: it takes " + call.arity());
        }
    }

    /** A call of {@code call} with the given arguments. */
    public static Step call(String description, LibcCall call, Arg... args) {
        return new Step(description, call, List.of(args), Set.of());
    }

    /** This step, with errnos that do not count as a failure. */
    public Step tolerating(String... errnoNames) {
        return new Step(description, call, args, Set.of(errnoNames));
    }
}
