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
import io.soabase.recordbuilder.core.RecordBuilder;
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
@RecordBuilder
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
        String selinuxLabel)
        implements SavedSpecBuilder.With {

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

    /** Every component optional: null is "not recorded" (the defaults of {@link #toBuilder}). */
    public static SavedSpecBuilder builder() {
        return SavedSpecBuilder.builder();
    }

    /** A builder holding every component of this one, to change some ({@code withHost} and the like change one). */
    public SavedSpecBuilder copy() {
        return SavedSpecBuilder.builder(this);
    }

    /** The volumes' own propagations by target, in the volumes' order; null when none has one. */
    private static Map<String, String> propagation(Filesystem filesystem) {
        Map<String, String> modes = new LinkedHashMap<>();
        for (Volume volume : filesystem.volumes()) {
            filesystem.propagation(volume.target()).ifPresent(mode -> modes.put(volume.target(), mode.mode()));
        }
        return modes.isEmpty() ? null : modes;
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
