package io.isola.lifecycle;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.isola.api.ContainerSpec;
import io.isola.api.Terminal;
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
 * and the AppArmor profile that {@code exec}'s processes get too, as Docker's do (null: none),
 * and the propagation of each volume that has one of its own, by target ({@code rshared}, ...;
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
        io.isola.api.ProcessUser user,
        List<String> ports,
        List<io.isola.api.Volume> volumes,
        SavedHostConfig host,
        StopConfig stop,
        Healthcheck health,
        String appArmorProfile,
        Map<String, String> propagation) {

    /** Without a volume propagation of its own. */
    public SavedSpec(
            List<String> command,
            Map<String, String> env,
            String cwd,
            String hostname,
            String domainname,
            Set<String> isolators,
            Boolean terminal,
            SavedRoot root,
            io.isola.api.ProcessUser user,
            List<String> ports,
            List<io.isola.api.Volume> volumes,
            SavedHostConfig host,
            StopConfig stop,
            Healthcheck health,
            String appArmorProfile) {
        this(
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
                null);
    }

    /** Without an AppArmor profile. */
    public SavedSpec(
            List<String> command,
            Map<String, String> env,
            String cwd,
            String hostname,
            String domainname,
            Set<String> isolators,
            Boolean terminal,
            SavedRoot root,
            io.isola.api.ProcessUser user,
            List<String> ports,
            List<io.isola.api.Volume> volumes,
            SavedHostConfig host,
            StopConfig stop,
            Healthcheck health) {
        this(
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
                null);
    }

    /** Without a health check. */
    public SavedSpec(
            List<String> command,
            Map<String, String> env,
            String cwd,
            String hostname,
            String domainname,
            Set<String> isolators,
            Boolean terminal,
            SavedRoot root,
            io.isola.api.ProcessUser user,
            List<String> ports,
            List<io.isola.api.Volume> volumes,
            SavedHostConfig host,
            StopConfig stop) {
        this(
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
                null);
    }

    /** With the default stop (SIGTERM, then SIGKILL after 10 s). */
    public SavedSpec(
            List<String> command,
            Map<String, String> env,
            String cwd,
            String hostname,
            String domainname,
            Set<String> isolators,
            Boolean terminal,
            SavedRoot root,
            io.isola.api.ProcessUser user,
            List<String> ports,
            List<io.isola.api.Volume> volumes,
            SavedHostConfig host) {
        this(command, env, cwd, hostname, domainname, isolators, terminal, root, user, ports, volumes, host, null);
    }

    /** Without limits of its own. */
    public SavedSpec(
            List<String> command,
            Map<String, String> env,
            String cwd,
            String hostname,
            String domainname,
            Set<String> isolators,
            Boolean terminal,
            SavedRoot root,
            io.isola.api.ProcessUser user,
            List<String> ports,
            List<io.isola.api.Volume> volumes) {
        this(command, env, cwd, hostname, domainname, isolators, terminal, root, user, ports, volumes, null, null);
    }

    /** Without binds. */
    public SavedSpec(
            List<String> command,
            Map<String, String> env,
            String cwd,
            String hostname,
            String domainname,
            Set<String> isolators,
            Boolean terminal,
            SavedRoot root,
            io.isola.api.ProcessUser user,
            List<String> ports) {
        this(command, env, cwd, hostname, domainname, isolators, terminal, root, user, ports, null);
    }

    /** Without published ports. */
    public SavedSpec(
            List<String> command,
            Map<String, String> env,
            String cwd,
            String hostname,
            String domainname,
            Set<String> isolators,
            Boolean terminal,
            SavedRoot root,
            io.isola.api.ProcessUser user) {
        this(command, env, cwd, hostname, domainname, isolators, terminal, root, user, null);
    }

    public static SavedSpec of(ContainerSpec spec) {
        List<String> ports = spec.extension(io.isola.api.Network.class)
                .map(n -> n.ports().stream()
                        .map(io.isola.api.PortMapping::toString)
                        .toList())
                .filter(p -> !p.isEmpty())
                .orElse(null);
        return new SavedSpec(
                spec.command(),
                new LinkedHashMap<>(spec.env()),
                spec.cwd(),
                spec.hostname().orElse(null),
                spec.domainname().orElse(null),
                spec.isolators().orElse(null),
                spec.extension(Terminal.class).isPresent() ? Boolean.TRUE : null,
                SavedRoot.of(spec.extension(io.isola.api.Filesystem.class).orElse(null)),
                spec.extension(io.isola.api.ProcessUser.class).orElse(null),
                ports,
                spec.extension(io.isola.api.Filesystem.class)
                        .map(io.isola.api.Filesystem::volumes)
                        .filter(v -> !v.isEmpty())
                        .orElse(null),
                SavedHostConfig.of(spec),
                null,
                null,
                spec.extension(io.isola.api.Security.class)
                        .flatMap(io.isola.api.Security::appArmorProfile)
                        .orElse(null),
                spec.extension(io.isola.api.Filesystem.class)
                        .map(SavedSpec::propagation)
                        .orElse(null));
    }

    /** The volumes' own propagations by target, in the volumes' order; null when none has one. */
    private static Map<String, String> propagation(io.isola.api.Filesystem filesystem) {
        Map<String, String> modes = new LinkedHashMap<>();
        for (io.isola.api.Volume volume : filesystem.volumes()) {
            filesystem.propagation(volume.target()).ifPresent(mode -> modes.put(volume.target(), mode.mode()));
        }
        return modes.isEmpty() ? null : modes;
    }

    public SavedSpec withHost(SavedHostConfig value) {
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
                value,
                stop,
                health,
                appArmorProfile,
                propagation);
    }

    public SavedSpec withStop(StopConfig value) {
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
                value,
                health,
                appArmorProfile,
                propagation);
    }

    public SavedSpec withHealth(Healthcheck value) {
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
                value,
                appArmorProfile,
                propagation);
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
}
