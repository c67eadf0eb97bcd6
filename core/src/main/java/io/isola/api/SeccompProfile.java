package io.isola.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A system call filter in the form of Docker's seccomp profiles ({@code --security-opt
 * seccomp=FILE.json}): a default action, the architectures it is written for, and rules that give
 * named system calls another action, optionally only for some argument values.
 *
 * <p>Rules are tried in order; the first whose conditions all hold decides. {@code includes} and
 * {@code excludes} (by capability, architecture, kernel version) are resolved when the filter is
 * compiled for one container, as Docker does.
 *
 * @param source where the profile came from, for error messages
 * @param defaultErrno the errno of an {@link Action#ERRNO} default action
 * @param architectures the SCMP_ARCH_* names it covers; empty means the host's
 */
public record SeccompProfile(
        String source, Action defaultAction, int defaultErrno, List<String> architectures, List<Rule> rules) {

    /** EPERM, the errno of an ERRNO action that names none. */
    public static final int EPERM = 1;

    public enum Action {
        ALLOW,
        ERRNO,
        KILL_THREAD,
        KILL_PROCESS,
        TRAP,
        TRACE,
        LOG
    }

    /** Comparisons of one argument with {@code value} (and {@code valueTwo} for MASKED_EQ), unsigned 64-bit. */
    public enum Op {
        NE,
        LT,
        LE,
        EQ,
        GE,
        GT,
        MASKED_EQ
    }

    /** {@code args[index] op value}; for MASKED_EQ: {@code (args[index] & value) == valueTwo}. */
    public record Condition(int index, Op op, long value, long valueTwo) {
        public Condition {
            Objects.requireNonNull(op, "op");
            if (index < 0 || index > 5) {
                throw new IllegalArgumentException("seccomp argument index " + index + ": expected 0 to 5");
            }
        }
    }

    /**
     * @param errno the errno of an {@link Action#ERRNO} action
     * @param includeCaps the rule applies only when the container has all of these
     * @param excludeCaps the rule does not apply when the container has any of these
     * @param includeArches Go architecture names ({@code amd64}, {@code arm64}); empty means all
     * @param excludeArches the rule does not apply on these
     * @param minKernel the rule applies only from this kernel version on ({@code "4.8"}), or null
     */
    public record Rule(
            List<String> names,
            Action action,
            int errno,
            List<Condition> conditions,
            Set<Capability> includeCaps,
            Set<Capability> excludeCaps,
            List<String> includeArches,
            List<String> excludeArches,
            String minKernel) {
        public Rule {
            names = List.copyOf(names);
            Objects.requireNonNull(action, "action");
            conditions = List.copyOf(conditions);
            includeCaps = Set.copyOf(includeCaps);
            excludeCaps = Set.copyOf(excludeCaps);
            includeArches = List.copyOf(includeArches);
            excludeArches = List.copyOf(excludeArches);
        }

        /** A rule without conditions that applies everywhere. */
        public static Rule of(Action action, int errno, List<String> names) {
            return new Rule(names, action, errno, List.of(), Set.of(), Set.of(), List.of(), List.of(), null);
        }
    }

    public SeccompProfile {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(defaultAction, "defaultAction");
        architectures = List.copyOf(architectures);
        rules = List.copyOf(rules);
    }

    /** The largest profile read: Docker's default is about 20 KiB. */
    public static final int MAX_BYTES = 4 << 20;

    /**
     * Reads a profile in Docker's JSON format; a bad file is named with what is wrong in it. Only a
     * regular file of at most {@link #MAX_BYTES} is read: a FIFO or a device would block or never end.
     */
    public static SeccompProfile read(Path file) {
        String where = "seccomp profile \"" + file + "\": ";
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(where + "no such file; expected a JSON profile");
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(where + "not a regular file; expected a JSON profile");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    where + "cannot be read ("
                            + (e.getMessage() != null
                                    ? e.getMessage()
                                    : e.getClass().getSimpleName()) + ")",
                    e);
        }
        if (bytes.length > MAX_BYTES) {
            throw new IllegalArgumentException(
                    where + "larger than " + (MAX_BYTES >> 20) + " MiB; expected a JSON profile");
        }
        try {
            String json = StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            return parse(file.toString(), json);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(where + "not UTF-8 text; expected a JSON profile");
        }
    }

    /** Parses a profile in Docker's JSON format; {@code source} names it in errors. */
    public static SeccompProfile parse(String source, String json) {
        return Runtimes.provider().parseSeccompProfile(source, json);
    }
}
