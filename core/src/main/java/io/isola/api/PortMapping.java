package io.isola.api;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A port of the host forwarded to a port of the container ({@code -p 8080:80/tcp}), on every
 * address of the host or on one ({@code -p 192.0.2.1:8080:80}).
 *
 * @param hostPort the host's port, 1-65535
 * @param containerPort the container's port, 1-65535
 * @param protocol {@code tcp} or {@code udp}
 * @param hostIp the IPv4 address of the host it is published on; null for every address
 *     ({@code 0.0.0.0} is taken as null)
 * @since 1.5 (hostIp)
 */
public record PortMapping(int hostPort, int containerPort, String protocol, String hostIp) {

    private static final Pattern FORM =
            Pattern.compile("(?:(\\d{1,3}(?:\\.\\d{1,3}){3}):)?(\\d{1,5}):(\\d{1,5})(?:/([A-Za-z]+))?");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    public PortMapping {
        checkPort("host port", hostPort);
        checkPort("container port", containerPort);
        protocol = protocol == null ? "tcp" : protocol.toLowerCase(Locale.ROOT);
        if (!protocol.equals("tcp") && !protocol.equals("udp")) {
            throw new IllegalArgumentException("port protocol \"" + protocol + "\": expected tcp or udp");
        }
        hostIp = hostIp == null || hostIp.equals("0.0.0.0") ? null : checkIpv4(hostIp);
    }

    /** On every address of the host. */
    public PortMapping(int hostPort, int containerPort, String protocol) {
        this(hostPort, containerPort, protocol, null);
    }

    /** Parses {@code [HOSTIP:]HOSTPORT:CTRPORT[/tcp|udp]}, as {@link #toString()} writes it. */
    public static PortMapping parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "port mapping \"" + text + "\": expected [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|udp]");
        }
        return new PortMapping(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), m.group(4), m.group(1));
    }

    /**
     * Whether this and {@code other} claim the same host port: the same port and protocol on an
     * address both use (every address overlaps any one).
     */
    public boolean overlaps(PortMapping other) {
        return hostPort == other.hostPort
                && protocol.equals(other.protocol)
                && (hostIp == null || other.hostIp == null || hostIp.equals(other.hostIp));
    }

    private static void checkPort(String what, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(what + " " + port + ": expected 1 to 65535");
        }
    }

    /** A dotted quad, each part 0-255 (no name: a name would be looked up, and may change). */
    private static String checkIpv4(String address) {
        Matcher m = IPV4.matcher(address);
        boolean valid = m.matches();
        for (int i = 1; valid && i <= 4; i++) {
            valid = Integer.parseInt(m.group(i)) <= 255;
        }
        if (!valid) {
            throw new IllegalArgumentException("host address \"" + address
                    + "\": expected an IPv4 address such as 192.0.2.1 (isola's networks are IPv4)");
        }
        return address;
    }

    @Override
    public String toString() {
        return (hostIp == null ? "" : hostIp + ":") + hostPort + ":" + containerPort + "/" + protocol;
    }
}
