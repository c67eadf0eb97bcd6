package io.isola.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What to run and how to isolate it. Built with {@link #builder(String...)}; validated once, when
 * built, with messages that name the bad value.
 */
public final class ContainerSpec {

    /** Docker's default PATH, used when the spec sets none. */
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,62})?");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    private final String id;
    private final List<String> command;
    private final Map<String, String> env;
    private final String cwd;
    private final String hostname;
    private final String domainname;
    private final Set<String> isolators;
    private final Map<String, String> options;
    private final Stdio stdin;
    private final Stdio stdout;
    private final Stdio stderr;
    private final Duration startTimeout;
    private final Map<Class<?>, Object> extensions;

    private ContainerSpec(Builder b) {
        this.id = b.id;
        this.command = List.copyOf(b.command);
        Map<String, String> environment = new LinkedHashMap<>(b.env);
        environment.putIfAbsent("PATH", DEFAULT_PATH);
        this.env = Collections.unmodifiableMap(environment);
        this.cwd = b.cwd;
        this.hostname = b.hostname;
        this.domainname = b.domainname;
        this.isolators = b.isolators == null ? null : Collections.unmodifiableSet(new LinkedHashSet<>(b.isolators));
        this.options = Collections.unmodifiableMap(new LinkedHashMap<>(b.options));
        this.stdin = b.stdin;
        this.stdout = b.stdout;
        this.stderr = b.stderr;
        this.startTimeout = b.startTimeout;
        this.extensions = Collections.unmodifiableMap(new LinkedHashMap<>(b.extensions));
    }

    public static Builder builder(String... command) {
        return new Builder().command(List.of(command));
    }

    public static Builder builder(List<String> command) {
        return new Builder().command(command);
    }

    /** The requested id, or empty to let the runtime choose one. */
    public Optional<String> id() {
        return Optional.ofNullable(id);
    }

    public List<String> command() {
        return command;
    }

    /** The environment, in order, always with a PATH. */
    public Map<String, String> env() {
        return env;
    }

    public String cwd() {
        return cwd;
    }

    public Optional<String> hostname() {
        return Optional.ofNullable(hostname);
    }

    public Optional<String> domainname() {
        return Optional.ofNullable(domainname);
    }

    /** The isolators to use by name, or empty to use the runtime's defaults. */
    public Optional<Set<String>> isolators() {
        return Optional.ofNullable(isolators);
    }

    /** Settings for plugins, by key ({@code "time.monotonic-offset"}). */
    public Map<String, String> options() {
        return options;
    }

    public Stdio stdin() {
        return stdin;
    }

    public Stdio stdout() {
        return stdout;
    }

    public Stdio stderr() {
        return stderr;
    }

    /** How long the child may take from clone to exec before the start is abandoned. */
    public Duration startTimeout() {
        return startTimeout;
    }

    /**
     * The settings of type {@code type} that this spec carries, if any. Extensions are how a
     * feature or a plugin adds typed settings ({@code Resources}, {@code Network}, ...) without
     * changing this class; each validates itself when constructed.
     */
    public <T> Optional<T> extension(Class<T> type) {
        return Optional.ofNullable(type.cast(extensions.get(type)));
    }

    /** Every extension, by type. */
    public Map<Class<?>, Object> extensions() {
        return extensions;
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.id = id;
        b.command = new ArrayList<>(command);
        b.env = new LinkedHashMap<>(env);
        b.cwd = cwd;
        b.hostname = hostname;
        b.domainname = domainname;
        b.isolators = isolators == null ? null : new LinkedHashSet<>(isolators);
        b.options = new LinkedHashMap<>(options);
        b.stdin = stdin;
        b.stdout = stdout;
        b.stderr = stderr;
        b.startTimeout = startTimeout;
        b.extensions = new LinkedHashMap<>(extensions);
        return b;
    }

    /** Collects a spec's settings; {@link #build()} checks them all. */
    public static final class Builder {
        private String id;
        private List<String> command = new ArrayList<>();
        private Map<String, String> env = new LinkedHashMap<>();
        private String cwd = "/";
        private String hostname;
        private String domainname;
        private Set<String> isolators;
        private Map<String, String> options = new LinkedHashMap<>();
        private Stdio stdin = Stdio.INHERIT;
        private Stdio stdout = Stdio.INHERIT;
        private Stdio stderr = Stdio.INHERIT;
        private Duration startTimeout = Duration.ofSeconds(30);
        private Map<Class<?>, Object> extensions = new LinkedHashMap<>();

        private Builder() {}

        /** Adds typed settings, replacing any earlier ones of the same type. */
        public Builder with(Object extension) {
            Objects.requireNonNull(extension, "extension");
            extensions.put(extension.getClass(), extension);
            return this;
        }

        public Builder id(String value) {
            this.id = value;
            return this;
        }

        public Builder command(List<String> value) {
            this.command = new ArrayList<>(value);
            return this;
        }

        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        public Builder env(Map<String, String> values) {
            env.putAll(values);
            return this;
        }

        public Builder cwd(String value) {
            this.cwd = value;
            return this;
        }

        public Builder hostname(String value) {
            this.hostname = value;
            return this;
        }

        public Builder domainname(String value) {
            this.domainname = value;
            return this;
        }

        /** Uses exactly these isolators, by name, instead of the runtime's defaults. */
        public Builder isolators(Set<String> names) {
            this.isolators = new LinkedHashSet<>(names);
            return this;
        }

        public Builder option(String key, String value) {
            options.put(key, value);
            return this;
        }

        public Builder stdin(Stdio value) {
            this.stdin = Objects.requireNonNull(value, "stdin");
            return this;
        }

        public Builder stdout(Stdio value) {
            this.stdout = Objects.requireNonNull(value, "stdout");
            return this;
        }

        public Builder stderr(Stdio value) {
            this.stderr = Objects.requireNonNull(value, "stderr");
            return this;
        }

        public Builder startTimeout(Duration value) {
            this.startTimeout = Objects.requireNonNull(value, "startTimeout");
            return this;
        }

        public ContainerSpec build() {
            if (command.isEmpty() || command.get(0).isEmpty()) {
                throw new IllegalArgumentException("command: expected a program to run, got none");
            }
            for (String arg : command) {
                requireNoNul("command argument", arg);
            }
            if (id != null && !ID.matcher(id).matches()) {
                throw new IllegalArgumentException("container id \"" + id
                        + "\": expected 1 to 128 letters, digits, '_', '.' or '-', starting with a letter or digit");
            }
            env.forEach((name, value) -> {
                if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
                    throw new IllegalArgumentException(
                            "environment variable name \"" + name + "\": expected a non-empty name without '=' or NUL");
                }
                requireNoNul("environment variable " + name, value);
            });
            if (cwd == null || !cwd.startsWith("/")) {
                throw new IllegalArgumentException("working directory \"" + cwd + "\": expected an absolute path");
            }
            requireNoNul("working directory", cwd);
            checkName("hostname", hostname);
            checkName("domain name", domainname);
            if (startTimeout.isNegative() || startTimeout.isZero()) {
                throw new IllegalArgumentException("start timeout " + startTimeout + ": expected a positive duration");
            }
            return new ContainerSpec(this);
        }

        private static void checkName(String what, String value) {
            if (value != null && !HOSTNAME.matcher(value).matches()) {
                throw new IllegalArgumentException(what + " \"" + value
                        + "\": expected 1 to 64 letters, digits, '-' or '.', starting with a letter or digit");
            }
        }

        private static void requireNoNul(String what, String value) {
            if (value == null || value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException(what + ": expected text without NUL bytes");
            }
        }
    }
}
