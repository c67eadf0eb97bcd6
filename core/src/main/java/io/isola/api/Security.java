package io.isola.api;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How a container is locked down, as a {@link ContainerSpec} extension ({@code builder.with(...)}).
 * A spec without one gets {@link #defaults()}: Docker's default capabilities, {@code
 * no_new_privs}, the default seccomp filter and default resource limits.
 *
 * <p>{@code privileged} keeps every capability and installs no seccomp filter (and, for the
 * filesystem, masks no paths); {@code no_new_privs} and resource limits still apply as set.
 *
 * <p>A container that shares the host's network namespace ({@link Network#host()}, or no
 * network isolator) keeps no {@link Capability#NET_RAW} unless it was added ({@link
 * Builder#capAdd}): with it, a raw or packet socket would read and forge the host's traffic,
 * loopback included.
 */
public final class Security {

    /** Docker's default capabilities. */
    public static final Set<Capability> DEFAULT_CAPABILITIES = Collections.unmodifiableSet(EnumSet.of(
            Capability.CHOWN,
            Capability.DAC_OVERRIDE,
            Capability.FSETID,
            Capability.FOWNER,
            Capability.MKNOD,
            Capability.NET_RAW,
            Capability.SETGID,
            Capability.SETUID,
            Capability.SETFCAP,
            Capability.SETPCAP,
            Capability.NET_BIND_SERVICE,
            Capability.SYS_CHROOT,
            Capability.KILL,
            Capability.AUDIT_WRITE));

    /** Which seccomp filter the container gets. */
    public enum Seccomp {
        DEFAULT,
        UNCONFINED,
        PROFILE
    }

    private static final Security DEFAULTS = builder().build();
    /** What AppArmor takes as one profile name: it ends a name at the first space. */
    private static final Pattern APPARMOR_NAME = Pattern.compile("[\\x21-\\x7e]{1,255}");
    /**
     * An SELinux context, user:role:type with an optional MLS/MCS range (s0, s0:c1,c2,
     * s0-s15:c0.c1023): nothing else, so that it cannot end the quoted context="..." of a mount.
     */
    private static final Pattern SELINUX_CONTEXT = Pattern.compile("[\\w.]+:[\\w.]+:[\\w.]+(:[\\w.,:-]+)?");

    private final boolean privileged;
    private final Set<Capability> capabilities;
    private final Set<Capability> added;
    private final boolean noNewPrivileges;
    private final Seccomp seccomp;
    private final SeccompProfile profile;
    private final Map<String, Ulimit> ulimits;
    private final String appArmorProfile;
    private final String selinuxLabel;
    private final String mountLabel;

    private Security(Builder b) {
        this.privileged = b.privileged;
        Set<Capability> caps = EnumSet.noneOf(Capability.class);
        if (b.privileged) {
            caps.addAll(EnumSet.allOf(Capability.class));
        } else {
            if (!b.dropAll) {
                caps.addAll(DEFAULT_CAPABILITIES);
                caps.removeAll(b.drop);
            }
            caps.addAll(b.addAll ? EnumSet.allOf(Capability.class) : b.add); // an added capability wins, as in Docker
        }
        this.capabilities = Collections.unmodifiableSet(caps);
        Set<Capability> explicit = EnumSet.noneOf(Capability.class);
        explicit.addAll(b.privileged || b.addAll ? EnumSet.allOf(Capability.class) : b.add);
        this.added = Collections.unmodifiableSet(explicit);
        this.noNewPrivileges = b.noNewPrivileges;
        this.seccomp = b.seccomp;
        this.profile = b.profile;
        this.ulimits = Collections.unmodifiableMap(new LinkedHashMap<>(b.ulimits));
        this.appArmorProfile = b.appArmorProfile;
        this.selinuxLabel = b.selinuxLabel;
        this.mountLabel = b.mountLabel;
    }

    public static Security defaults() {
        return DEFAULTS;
    }

    /** The security settings of {@code spec}: its extension, or the defaults. */
    public static Security of(ContainerSpec spec) {
        return spec.extension(Security.class).orElse(DEFAULTS);
    }

    public static Builder builder() {
        return new Builder();
    }

    public boolean privileged() {
        return privileged;
    }

    /** The capabilities the container's process keeps (bounding, permitted and effective sets). */
    public Set<Capability> capabilities() {
        return capabilities;
    }

    /**
     * The capabilities asked for explicitly ({@code --cap-add}, every one with {@code ALL} or
     * {@code privileged}), which the runtime never takes away, as it takes {@link
     * Capability#NET_RAW} from a container on the host's network.
     */
    public Set<Capability> added() {
        return added;
    }

    public boolean noNewPrivileges() {
        return noNewPrivileges;
    }

    /** The seccomp filter; a privileged container gets none, whatever was asked. */
    public Seccomp seccomp() {
        return privileged ? Seccomp.UNCONFINED : seccomp;
    }

    /** The user's profile when {@link #seccomp()} is {@link Seccomp#PROFILE}. */
    public Optional<SeccompProfile> profile() {
        return Optional.ofNullable(profile);
    }

    /** The limits set explicitly, by name; the runtime adds its defaults for the others. */
    public Map<String, Ulimit> ulimits() {
        return ulimits;
    }

    /**
     * The AppArmor profile the command runs confined by ({@code unconfined}: none), applied at its
     * execve as runc applies it; empty: the runtime's own confinement, whatever it is. A named
     * profile must be loaded on a host that enables AppArmor; on a host without AppArmor it is
     * refused, and {@code unconfined} means nothing there.
     *
     * @since 1.5
     */
    public Optional<String> appArmorProfile() {
        return Optional.ofNullable(appArmorProfile);
    }

    /**
     * The SELinux context the command runs in, set at its execve as runc sets it; empty: the
     * runtime's own. Applied only where the host enables SELinux, ignored elsewhere.
     *
     * @since 1.6
     */
    public Optional<String> selinuxLabel() {
        return Optional.ofNullable(selinuxLabel);
    }

    /**
     * The SELinux context of the file systems the runtime mounts for the container (its tmpfs
     * mounts, /dev, devpts, shm, mqueue), given as their {@code context=} option; empty: the
     * kernel's default. Applied only where the host enables SELinux.
     *
     * @since 1.6
     */
    public Optional<String> mountLabel() {
        return Optional.ofNullable(mountLabel);
    }

    public static final class Builder {
        private boolean privileged;
        private final Set<Capability> add = EnumSet.noneOf(Capability.class);
        private final Set<Capability> drop = EnumSet.noneOf(Capability.class);
        private boolean addAll;
        private boolean dropAll;
        private boolean noNewPrivileges = true;
        private Seccomp seccomp = Seccomp.DEFAULT;
        private SeccompProfile profile;
        private final Map<String, Ulimit> ulimits = new LinkedHashMap<>();
        private String appArmorProfile;
        private String selinuxLabel;
        private String mountLabel;

        private Builder() {}

        public Builder privileged(boolean value) {
            this.privileged = value;
            return this;
        }

        /** Adds capabilities by name ({@code NET_ADMIN}, {@code CAP_NET_ADMIN}, or {@code ALL}). */
        public Builder capAdd(String... names) {
            for (String name : names) {
                if (isAll(name)) {
                    addAll = true;
                } else {
                    add.add(Capability.parse(name));
                }
            }
            return this;
        }

        /** Drops capabilities by name, or every one with {@code ALL}. */
        public Builder capDrop(String... names) {
            for (String name : names) {
                if (isAll(name)) {
                    dropAll = true;
                } else {
                    drop.add(Capability.parse(name));
                }
            }
            return this;
        }

        public Builder noNewPrivileges(boolean value) {
            this.noNewPrivileges = value;
            return this;
        }

        /** No seccomp filter at all. */
        public Builder seccompUnconfined() {
            this.seccomp = Seccomp.UNCONFINED;
            this.profile = null;
            return this;
        }

        /** This filter instead of the default one. */
        public Builder seccompProfile(SeccompProfile value) {
            this.profile = Objects.requireNonNull(value, "profile");
            this.seccomp = Seccomp.PROFILE;
            return this;
        }

        /**
         * The AppArmor profile of the command (see {@link Security#appArmorProfile()}); null or
         * empty for none. A name is printable, without spaces: AppArmor reads it up to the first.
         */
        public Builder appArmorProfile(String name) {
            if (name != null && !name.isEmpty() && !APPARMOR_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(
                        "AppArmor profile \"" + name
                                + "\": expected a loaded profile's name (1 to 255 printable characters, no spaces) or unconfined");
            }
            this.appArmorProfile = name == null || name.isEmpty() ? null : name;
            return this;
        }

        /** The command's SELinux context (see {@link Security#selinuxLabel()}); null or empty for none. */
        public Builder selinuxLabel(String context) {
            this.selinuxLabel = selinuxContext("process label", context);
            return this;
        }

        /** The mounts' SELinux context (see {@link Security#mountLabel()}); null or empty for none. */
        public Builder mountLabel(String context) {
            this.mountLabel = selinuxContext("mount label", context);
            return this;
        }

        private static String selinuxContext(String what, String context) {
            if (context == null || context.isEmpty()) {
                return null;
            }
            if (context.length() > 255 || !SELINUX_CONTEXT.matcher(context).matches()) {
                throw new IllegalArgumentException(
                        "SELinux " + what + " \"" + context
                                + "\": expected a context user:role:type[:level], such as system_u:system_r:container_t:s0:c1,c2");
            }
            return context;
        }

        /**
         * Applies one {@code --security-opt} value: {@code no-new-privileges[=true|false]}, {@code
         * seccomp=unconfined}, {@code seccomp=FILE.json} or {@code apparmor=PROFILE} ({@code
         * apparmor=unconfined}).
         */
        public Builder securityOpt(String option) {
            int eq = option.indexOf('=') >= 0 ? option.indexOf('=') : option.indexOf(':');
            String key = eq < 0 ? option : option.substring(0, eq);
            String value = eq < 0 ? null : option.substring(eq + 1);
            switch (key) {
                case "no-new-privileges" -> {
                    if (value == null || value.equals("true")) {
                        noNewPrivileges = true;
                    } else if (value.equals("false")) {
                        noNewPrivileges = false;
                    } else {
                        throw new IllegalArgumentException("security option \"" + option
                                + "\": expected no-new-privileges=true or no-new-privileges=false");
                    }
                }
                case "seccomp" -> {
                    if (value == null || value.isEmpty()) {
                        throw new IllegalArgumentException("security option \"" + option
                                + "\": expected seccomp=unconfined or seccomp=PATH to a JSON profile");
                    }
                    if (value.equals("unconfined")) {
                        seccompUnconfined();
                    } else {
                        seccompProfile(SeccompProfile.read(Path.of(value)));
                    }
                }
                case "apparmor" -> {
                    if (value == null || value.isEmpty()) {
                        throw new IllegalArgumentException("security option \"" + option
                                + "\": expected apparmor=PROFILE, a loaded profile's name, or apparmor=unconfined");
                    }
                    appArmorProfile(value);
                }
                case "label" -> label(option, value);
                default ->
                    throw new IllegalArgumentException("security option \"" + option
                            + "\": unknown; expected no-new-privileges[=true|false], seccomp=unconfined|PATH,"
                            + " apparmor=PROFILE|unconfined or label=disable|user:U|role:R|type:T|level:L|filetype:T");
            }
            return this;
        }

        /**
         * Docker's {@code label=...}: {@code disable} for no labels; {@code user:}, {@code role:},
         * {@code type:} or {@code level:} edit the process's context, {@code filetype:} and {@code
         * level:} the mounts', starting from the host policy's container contexts ({@link
         * SelinuxDefaults}). Applied only where the host enables SELinux, as Docker applies them.
         */
        private void label(String option, String value) {
            int colon = value == null ? -1 : value.indexOf(':');
            String key = value == null ? "" : colon < 0 ? value : value.substring(0, colon);
            String part = colon < 0 ? null : value.substring(colon + 1);
            if (key.equals("disable") && part == null) {
                selinuxLabel = null;
                mountLabel = null;
                return;
            }
            int index = List.of("user", "role", "type", "level", "filetype").indexOf(key);
            if (index < 0 || part == null || part.isEmpty()) {
                throw new IllegalArgumentException("security option \"" + option
                        + "\": expected label=disable, label=user:USER, label=role:ROLE, label=type:TYPE,"
                        + " label=level:LEVEL or label=filetype:TYPE");
            }
            SelinuxDefaults defaults = SelinuxDefaults.ofThisHost();
            String process = selinuxLabel != null ? selinuxLabel : defaults.process();
            String file = mountLabel != null ? mountLabel : defaults.file();
            if (key.equals("filetype")) {
                file = SelinuxDefaults.with(file, 2, part);
            } else {
                process = SelinuxDefaults.with(process, index, part);
                if (key.equals("level")) {
                    file = SelinuxDefaults.with(file, 3, part);
                }
            }
            selinuxLabel(process);
            mountLabel(file);
        }

        public Builder ulimit(Ulimit value) {
            ulimits.put(value.name(), value);
            return this;
        }

        /** Docker's form {@code NAME=SOFT[:HARD]}. */
        public Builder ulimit(String value) {
            return ulimit(Ulimit.parse(value));
        }

        public Security build() {
            return new Security(this);
        }

        private static boolean isAll(String name) {
            return name.trim().equalsIgnoreCase("ALL");
        }
    }

    @Override
    public String toString() {
        return "Security[privileged=" + privileged + ", capabilities=" + capabilities + ", noNewPrivileges="
                + noNewPrivileges + ", seccomp=" + seccomp() + ", ulimits=" + new ArrayList<>(ulimits.values())
                + (appArmorProfile == null ? "" : ", appArmorProfile=" + appArmorProfile)
                + (selinuxLabel == null ? "" : ", selinuxLabel=" + selinuxLabel)
                + (mountLabel == null ? "" : ", mountLabel=" + mountLabel) + "]";
    }

    /** For symmetry with the builder: the names of the kept capabilities, sorted by number. */
    public List<String> capabilityNames() {
        return capabilities.stream().map(Capability::name).toList();
    }
}
