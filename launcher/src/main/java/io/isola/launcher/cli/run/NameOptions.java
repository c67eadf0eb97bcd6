package io.isola.launcher.cli.run;

import io.isola.api.NameResolution;
import io.isola.api.Network;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * What the container's /etc/hosts and /etc/resolv.conf hold beyond its network's: Docker's
 * {@code --network-alias}, {@code --add-host}, {@code --dns}, {@code --dns-search} and {@code
 * --dns-option}. On a user-defined network its name and aliases are what the other containers
 * there find it by (the net isolator writes them into their hosts files).
 */
final class NameOptions {

    @Option(
            names = {"--network-alias", "--net-alias"},
            paramLabel = "ALIAS",
            description = "Another name the containers of the same user-defined network find this one by.")
    private List<String> aliases = new ArrayList<>();

    @Option(
            names = "--add-host",
            paramLabel = "NAME:IP",
            description =
                    "A line of /etc/hosts; IP may be host-gateway (the network's gateway, the host's side of the bridge).")
    private List<String> addHosts = new ArrayList<>();

    @Option(
            names = "--dns",
            paramLabel = "IP",
            description = "A name server for /etc/resolv.conf, in place of the network's or the host's.")
    private List<String> dns = new ArrayList<>();

    @Option(
            names = "--dns-search",
            paramLabel = "DOMAIN",
            description = "A search domain for /etc/resolv.conf, in place of the host's.")
    private List<String> dnsSearch = new ArrayList<>();

    @Option(
            names = "--dns-option",
            paramLabel = "OPTION",
            description = "A resolver option for /etc/resolv.conf (ndots:2), in place of the host's.")
    private List<String> dnsOptions = new ArrayList<>();

    /**
     * The extension for a container on {@code mode} (null: the configured default) named
     * {@code containerName} (or null); empty when nothing is asked.
     */
    Optional<NameResolution> resolution(Network.Mode mode, String containerName) {
        boolean resolvesNames = mode == Network.Mode.NAMED;
        if (!aliases.isEmpty() && !resolvesNames) {
            // Docker's rule: the default bridge resolves no names, so an alias there would be a promise not kept
            throw new IllegalArgumentException(
                    "--network-alias " + aliases.get(0) + ": only containers on a user-defined network"
                            + " have aliases; add --network NAME (see isola network create)");
        }
        Set<String> names = new LinkedHashSet<>();
        if (resolvesNames && containerName != null) {
            names.add(containerName);
        }
        names.addAll(aliases);
        NameResolution resolution = new NameResolution(
                List.copyOf(names),
                addHosts.stream().map(NameResolution.HostEntry::parse).toList(),
                dns,
                dnsSearch,
                dnsOptions);
        boolean asked = !names.isEmpty() || !addHosts.isEmpty() || resolution.changesResolvConf();
        if (asked
                && (mode == Network.Mode.HOST || mode == Network.Mode.CONTAINER)
                && (!addHosts.isEmpty() || resolution.changesResolvConf())) {
            throw new IllegalArgumentException("--add-host, --dns, --dns-search and --dns-option: not with --network "
                    + mode.name().toLowerCase(Locale.ROOT) + ", whose /etc files are another's; drop them");
        }
        return asked ? Optional.of(resolution) : Optional.empty();
    }
}
