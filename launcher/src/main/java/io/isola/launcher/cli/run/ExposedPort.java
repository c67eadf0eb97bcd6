package io.isola.launcher.cli.run;

import io.isola.api.IsolaException;
import io.isola.api.PortMapping;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A port a container serves ({@code --expose}, an image's {@code ExposedPorts}), which {@code -P} publishes. */
record ExposedPort(int port, String protocol) {

    private static final Pattern FORM = Pattern.compile("(\\d{1,5})(?:-(\\d{1,5}))?(?:/(tcp|udp))?");
    /** A range wider than this is a typo rather than a wish for thousands of forwarding rules. */
    private static final int MAX_RANGE = 1024;
    /** How many of the kernel's offers -P takes before it gives up on a port (others' ports are refused). */
    private static final int MAX_TRIES = 100;

    /** {@code PORT[-PORT][/tcp|udp]}; {@code what} names where it came from in an error. */
    static List<ExposedPort> parse(String text, String what) {
        Matcher m = FORM.matcher(text);
        int first = m.matches() ? Integer.parseInt(m.group(1)) : -1;
        int last = m.matches() && m.group(2) != null ? Integer.parseInt(m.group(2)) : first;
        if (first < 1 || last > 65535 || last < first || last - first >= MAX_RANGE) {
            throw new IllegalArgumentException(what + " \"" + text + "\": expected PORT, PORT/tcp, PORT/udp or a range"
                    + " FIRST-LAST of at most " + MAX_RANGE + " ports, each 1 to 65535");
        }
        String protocol = m.group(3) == null ? "tcp" : m.group(3);
        List<ExposedPort> ports = new ArrayList<>();
        for (int port = first; port <= last; port++) {
            ports.add(new ExposedPort(port, protocol));
        }
        return ports;
    }

    /**
     * Every exposed port that {@code published} does not publish yet, each on a host port that is
     * free now (the kernel's choice from its ephemeral range, as Docker takes one from it).
     */
    static List<PortMapping> publishAll(List<ExposedPort> exposed, List<PortMapping> published) {
        return publishAll(exposed, published, Set.of());
    }

    /**
     * As above, also avoiding {@code othersPorts}: ports other containers publish are forwarded by
     * firewall rules, not held by a socket, so the kernel may offer one of them as free.
     */
    static List<PortMapping> publishAll(
            List<ExposedPort> exposed, List<PortMapping> published, Set<Integer> othersPorts) {
        Set<ExposedPort> wanted = new LinkedHashSet<>(exposed);
        published.forEach(p -> wanted.remove(new ExposedPort(p.containerPort(), p.protocol())));
        Set<Integer> taken = new HashSet<>(othersPorts);
        published.forEach(p -> taken.add(p.hostPort()));
        List<PortMapping> mappings = new ArrayList<>();
        for (ExposedPort port : wanted) {
            int host = -1;
            for (int tries = 0; tries < MAX_TRIES && host < 0; tries++) {
                int offered = freeHostPort(port.protocol());
                host = taken.add(offered) ? offered : -1;
            }
            if (host < 0) {
                throw new IllegalArgumentException("-P: no free host port for " + port.port() + "/" + port.protocol()
                        + " that no other" + " container publishes, after " + MAX_TRIES
                        + " tries; publish it with -p HOSTPORT:" + port.port());
            }
            mappings.add(new PortMapping(host, port.port(), port.protocol()));
        }
        return mappings;
    }

    private static int freeHostPort(String protocol) {
        try {
            if (protocol.equals("udp")) {
                try (DatagramSocket socket = new DatagramSocket(0)) {
                    return socket.getLocalPort();
                }
            }
            try (ServerSocket socket = new ServerSocket(0)) {
                return socket.getLocalPort();
            }
        } catch (IOException e) {
            throw new IsolaException("-P: no free " + protocol + " port on the host: " + e.getMessage(), e);
        }
    }
}
