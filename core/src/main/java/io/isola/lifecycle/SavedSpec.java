package io.isola.lifecycle;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.isola.api.ContainerSpec;
import io.isola.api.Filesystem;
import io.isola.api.Network;
import io.isola.api.PortMapping;
import io.isola.api.ProcessUser;
import io.isola.api.Security;
import io.isola.api.Terminal;
import io.isola.api.Volume;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The part of a {@link ContainerSpec} kept in the state directory: what {@code inspect} shows, and
 * what a monitor process needs to start the container the CLI asked for, and the user that
 * {@code exec} runs a process as when it is not told another (as docker exec does), and the
 * ports it publishes ({@code HOSTPORT:CONTAINERPORT/PROTO}, for {@code port} and {@code ps}), and
 * the host paths bound into it (so that a volume store can tell which containers use a volume),
 * how {@code stop} ends it ({@link StopConfig}, null for SIGTERM and 10 s) and its {@link Healthcheck},
 * and the AppArmor profile and SELinux label that {@code exec}'s processes get too, as Docker's
 * do (null: none), and the propagation of each volume that has one of its own, by target ({@code rshared}, ...;
 * null: none has, every mount is private as the container's tree), which {@code inspect} shows.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SavedSpec(
        List<String> command,
        Map<String, String> env,
        String cwd,
        String hostname,
        String domainname,
        Set<String> isolators,
        Boolean terminal,
        SavedRoot root,
        ProcessUser user,
        List<String> ports,
        List<Volume> volumes,
        SavedHostConfig host,
        StopConfig stop,
        Healthcheck health,
        String appArmorProfile,
        Map<String, String> propagation,
        String selinuxLabel) {

    public static SavedSpec of(ContainerSpec spec) {
        List<String> ports = spec.extension(Network.class)
                .map(n -> n.ports().stream().map(PortMapping::toString).toList())
                .filter(p -> !p.isEmpty())
                .orElse(null);
        return builder()
                .command(spec.command())
                .env(new LinkedHashMap<>(spec.env()))
                .cwd(spec.cwd())
                .hostname(spec.hostname().orElse(null))
                .domainname(spec.domainname().orElse(null))
                .isolators(spec.isolators().orElse(null))
                .terminal(spec.extension(Terminal.class).isPresent() ? Boolean.TRUE : null)
                .root(SavedRoot.of(spec.extension(Filesystem.class).orElse(null)))
                .user(spec.extension(ProcessUser.class).orElse(null))
                .ports(ports)
                .volumes(spec.extension(Filesystem.class)
                        .map(Filesystem::volumes)
                        .filter(v -> !v.isEmpty())
                        .orElse(null))
                .host(SavedHostConfig.of(spec))
                .appArmorProfile(spec.extension(Security.class)
                        .flatMap(Security::appArmorProfile)
                        .orElse(null))
                .propagation(spec.extension(Filesystem.class)
                        .map(SavedSpec::propagation)
                        .orElse(null))
                .selinuxLabel(spec.extension(Security.class)
                        .flatMap(Security::selinuxLabel)
                        .orElse(null))
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding every component of this one, to change some. */
    public Builder copy() {
        Builder b = new Builder();
        b.command = command;
        b.env = env;
        b.cwd = cwd;
        b.hostname = hostname;
        b.domainname = domainname;
        b.isolators = isolators;
        b.terminal = terminal;
        b.root = root;
        b.user = user;
        b.ports = ports;
        b.volumes = volumes;
        b.host = host;
        b.stop = stop;
        b.health = health;
        b.appArmorProfile = appArmorProfile;
        b.propagation = propagation;
        b.selinuxLabel = selinuxLabel;
        return b;
    }

    /** The volumes' own propagations by target, in the volumes' order; null when none has one. */
    private static Map<String, String> propagation(Filesystem filesystem) {
        Map<String, String> modes = new LinkedHashMap<>();
        for (Volume volume : filesystem.volumes()) {
            filesystem.propagation(volume.target()).ifPresent(mode -> modes.put(volume.target(), mode.mode()));
        }
        return modes.isEmpty() ? null : modes;
    }

    public SavedSpec withHost(SavedHostConfig value) {
        return copy().host(value).build();
    }

    public SavedSpec withStop(StopConfig value) {
        return copy().stop(value).build();
    }

    public SavedSpec withHealth(Healthcheck value) {
        return copy().health(value).build();
    }

    /** A builder for the spec again; stdio and extensions are the caller's. */
    public ContainerSpec.Builder toBuilder(String id) {
        ContainerSpec.Builder builder = ContainerSpec.builder(command)
                .id(id)
                .cwd(cwd == null ? "/" : cwd)
                .hostname(hostname)
                .domainname(domainname);
        if (env != null) {
            builder.env(env);
        }
        if (isolators != null) {
            builder.isolators(isolators);
        }
        return builder;
    }

    /** Every component optional: null is "not recorded" (the defaults of {@link #toBuilder}). */
    public static final class Builder {
        private List<String> command;
        private Map<String, String> env;
        private String cwd;
        private String hostname;
        private String domainname;
        private Set<String> isolators;
        private Boolean terminal;
        private SavedRoot root;
        private ProcessUser user;
        private List<String> ports;
        private List<Volume> volumes;
        private SavedHostConfig host;
        private StopConfig stop;
        private Healthcheck health;
        private String appArmorProfile;
        private String selinuxLabel;
        private Map<String, String> propagation;

        private Builder() {}

        public Builder command(List<String> value) {
            command = value;
            return this;
        }

        public Builder env(Map<String, String> value) {
            env = value;
            return this;
        }

        public Builder cwd(String value) {
            cwd = value;
            return this;
        }

        public Builder hostname(String value) {
            hostname = value;
            return this;
        }

        public Builder domainname(String value) {
            domainname = value;
            return this;
        }

        public Builder isolators(Set<String> value) {
            isolators = value;
            return this;
        }

        public Builder terminal(Boolean value) {
            terminal = value;
            return this;
        }

        public Builder root(SavedRoot value) {
            root = value;
            return this;
        }

        public Builder user(ProcessUser value) {
            user = value;
            return this;
        }

        public Builder ports(List<String> value) {
            ports = value;
            return this;
        }

        public Builder volumes(List<Volume> value) {
            volumes = value;
            return this;
        }

        public Builder host(SavedHostConfig value) {
            host = value;
            return this;
        }

        public Builder stop(StopConfig value) {
            stop = value;
            return this;
        }

        public Builder health(Healthcheck value) {
            health = value;
            return this;
        }

        public Builder appArmorProfile(String value) {
            appArmorProfile = value;
            return this;
        }

        /** The volumes' own propagations by target ({@code rshared}, ...); null when none has one. */
        public Builder propagation(Map<String, String> value) {
            propagation = value;
            return this;
        }

        /** The SELinux label of the container's process, which exec's get too; null for none. */
        public Builder selinuxLabel(String value) {
            selinuxLabel = value;
            return this;
        }

        public SavedSpec build() {
            return new SavedSpec(
                    command,
                    env,
                    cwd,
                    hostname,
                    domainname,
                    isolators,
                    terminal,
                    root,
                    user,
                    ports,
                    volumes,
                    host,
                    stop,
                    health,
                    appArmorProfile,
                    propagation,
                    selinuxLabel);
        }
    }
}
