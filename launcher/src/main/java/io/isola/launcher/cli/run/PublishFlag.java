package io.isola.launcher.cli.run;

import io.isola.api.PortMapping;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code -p} in Docker's forms: {@code [IP:][HOSTPORT:]CONTAINERPORT[/PROTO]}, either port a
 * range ({@code 8000-8009:80-89}). A container port without a host port is published on a free
 * one, chosen as {@code -P} chooses. {@code IP} is {@code 0.0.0.0} or {@code ::} (every host
 * address, as without it) or one IPv4 address of the host, which portmap's rule then matches;
 * an address the host does not have is refused, as Docker's bind fails, rather than never matched.
 *
 * @param fixed the ports with a host port of the flag's
 * @param free the container ports that get a free host port
 */
record PublishFlag(List<PortMapping> fixed, List<ExposedPort> free) {

    private static final Pattern RANGE = Pattern.compile("(\\d{1,5})(?:-(\\d{1,5}))?");
    /** As {@link ExposedPort}'s: a wider range is a typo rather than a wish for thousands of rules. */
    private static final int MAX_RANGE = 1024;

    static PublishFlag parse(String value) {
        String spec = value;
        String protocol = "tcp";
        int slash = spec.lastIndexOf('/');
        if (slash >= 0) {
            protocol = spec.substring(slash + 1);
            spec = spec.substring(0, slash);
            if (!protocol.equals("tcp") && !protocol.equals("udp")) {
                throw refused(value, "protocol \"" + protocol + "\" is not one of tcp and udp");
            }
        }
        String address = null;
        if (spec.startsWith("[")) {
            int close = spec.indexOf("]:");
            if (close < 0) {
                throw refused(value, "an IPv6 address in brackets must be followed by :HOSTPORT:PORT");
            }
            address = spec.substring(1, close);
            spec = spec.substring(close + 2);
        }
        String[] parts = spec.split(":", -1);
        String host;
        String container;
        if (address == null && parts.length == 3) {
            address = parts[0];
            host = parts[1];
            container = parts[2];
        } else if (parts.length == 2) {
            host = parts[0];
            container = parts[1];
        } else if (parts.length == 1 && address == null) {
            host = "";
            container = parts[0];
        } else {
            throw refused(value, "too many fields");
        }
        String hostIp = null;
        if (address != null && !address.isEmpty() && !address.equals("0.0.0.0") && !address.equals("::")) {
            hostIp = HostAddress.local(value, address);
        }
        int[] containerPorts = range(value, container, "container port");
        List<PortMapping> fixed = new ArrayList<>();
        List<ExposedPort> free = new ArrayList<>();
        if (host.isEmpty()) {
            if (hostIp != null) {
                throw new IllegalArgumentException("-p \"" + value + "\": a free host port on one address (IP::PORT)"
                        + " is not supported by isola; give the host port, as " + hostIp + ":HOSTPORT:"
                        + container);
            }
            for (int port = containerPorts[0]; port <= containerPorts[1]; port++) {
                free.add(new ExposedPort(port, protocol));
            }
            return new PublishFlag(List.copyOf(fixed), List.copyOf(free));
        }
        int[] hostPorts = range(value, host, "host port");
        if (hostPorts[1] - hostPorts[0] != containerPorts[1] - containerPorts[0]) {
            throw refused(
                    value,
                    "the host range " + host + " and the container range " + container
                            + " differ in length; expected ranges of as many ports");
        }
        for (int offset = 0; offset <= containerPorts[1] - containerPorts[0]; offset++) {
            fixed.add(new PortMapping(hostPorts[0] + offset, containerPorts[0] + offset, protocol, hostIp));
        }
        return new PublishFlag(List.copyOf(fixed), List.copyOf(free));
    }

    private static int[] range(String value, String text, String what) {
        Matcher m = RANGE.matcher(text);
        if (!m.matches()) {
            throw refused(value, what + " \"" + text + "\" is not a port or a range FIRST-LAST");
        }
        int first = Integer.parseInt(m.group(1));
        int last = m.group(2) == null ? first : Integer.parseInt(m.group(2));
        if (first < 1 || last > 65535 || last < first || last - first >= MAX_RANGE) {
            throw refused(
                    value, what + " \"" + text + "\": expected 1 to 65535, a range of at most " + MAX_RANGE + " ports");
        }
        return new int[] {first, last};
    }

    private static IllegalArgumentException refused(String value, String why) {
        return new IllegalArgumentException("-p \"" + value + "\": " + why
                + "; expected [IP:][HOSTPORT:]PORT[/tcp|udp]," + " either port a range such as 8000-8009");
    }
}
