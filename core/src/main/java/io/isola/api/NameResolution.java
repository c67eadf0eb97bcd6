package io.isola.api;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Spec extension: what the container's {@code /etc/hosts} and {@code /etc/resolv.conf} hold
 * beyond what its network gives ({@code --network-alias}, {@code --add-host}, {@code --dns},
 * {@code --dns-search}, {@code --dns-option}). Every value is checked here, before it can reach a
 * file: these files are read by the container's resolver and, for {@link #names}, by every other
 * container on the same user-defined network, so a line break or a space in a value would let it
 * add entries of its choosing.
 *
 * @param names the names other containers on the same user-defined network find this one by (its
 *     name, its aliases); empty on the default network, as Docker's default bridge resolves none
 * @param extraHosts lines added to the container's own {@code /etc/hosts}
 * @param dnsServers name servers replacing the network's or the host's, IP addresses
 * @param dnsSearch search domains replacing the network's or the host's
 * @param dnsOptions resolver options replacing the network's or the host's ({@code ndots:2})
 */
public record NameResolution(
        List<String> names,
        List<HostEntry> extraHosts,
        List<String> dnsServers,
        List<String> dnsSearch,
        List<String> dnsOptions) {

    /** Docker's rule for container names and aliases, which also keeps hosts-file lines whole. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,252}");

    private static final Pattern DOMAIN = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,252}");
    private static final Pattern OPTION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}");
    private static final Pattern IPV4 =
            Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:][0-9A-Fa-f:.]{1,44}");

    /** {@code --add-host} and {@link #extraHosts}' value standing for the gateway of the container's network. */
    public static final String HOST_GATEWAY = "host-gateway";

    /** A line of {@code /etc/hosts}: {@code address} is an IP address or {@link #HOST_GATEWAY}. */
    public record HostEntry(String name, String address) {
        public HostEntry {
            check("--add-host host name", name, NAME);
            if (!HOST_GATEWAY.equals(address)) {
                checkAddress("--add-host " + name + " address", address);
            }
        }

        /** Parses Docker's {@code NAME:IP} (the first colon splits, so IPv6 addresses pass) or {@code NAME=IP}. */
        public static HostEntry parse(String text) {
            int split = text.indexOf('=') >= 0 ? text.indexOf('=') : text.indexOf(':');
            if (split <= 0) {
                throw new IllegalArgumentException(
                        "--add-host \"" + text + "\": expected NAME:IP or NAME:host-gateway");
            }
            String address = text.substring(split + 1);
            if (address.startsWith("[") && address.endsWith("]")) {
                address = address.substring(1, address.length() - 1);
            }
            return new HostEntry(text.substring(0, split), address);
        }
    }

    public NameResolution {
        names = List.copyOf(names);
        extraHosts = List.copyOf(extraHosts);
        dnsServers = List.copyOf(dnsServers);
        dnsSearch = List.copyOf(dnsSearch);
        dnsOptions = List.copyOf(dnsOptions);
        names.forEach(name -> check("network alias", name, NAME));
        dnsServers.forEach(server -> checkAddress("--dns", server));
        dnsSearch.forEach(domain -> check("--dns-search", domain, DOMAIN));
        dnsOptions.forEach(option -> check("--dns-option", option, OPTION));
    }

    /** Whether the container's resolv.conf differs from its network's. */
    public boolean changesResolvConf() {
        return !dnsServers.isEmpty() || !dnsSearch.isEmpty() || !dnsOptions.isEmpty();
    }

    /** Whether {@code name} is a valid container name or alias (Docker's rule). */
    public static boolean validName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    private static void check(String what, String value, Pattern allowed) {
        if (value == null || !allowed.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " \"" + value + "\": expected letters, digits, '_', '.' or '-'"
                    + (allowed == OPTION ? " or ':'" : "") + ", starting with a letter or digit");
        }
    }

    /** An IPv4 or IPv6 literal: checked by form only, so that no value ever reaches a name lookup. */
    private static void checkAddress(String what, String value) {
        boolean ok = value != null
                && (IPV4.matcher(value).matches() || IPV6.matcher(value).matches() && value.contains(":"));
        if (ok && !IPV4.matcher(value).matches()) {
            try {
                ok = InetAddress.getByName(value)
                        instanceof
                        Inet6Address; // hex or ':' first and a ':' in it: parsed as a literal, never looked up
            } catch (UnknownHostException e) {
                ok = false;
            }
        }
        if (!ok) {
            throw new IllegalArgumentException(
                    what + " \"" + value + "\": expected an IP address such as 10.0.0.2 or fd00::2");
        }
    }
}
