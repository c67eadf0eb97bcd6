package io.isola.api;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A port of the host forwarded to a port of the container ({@code -p 8080:80/tcp}).
 *
 * @param hostPort the host's port, 1-65535
 * @param containerPort the container's port, 1-65535
 * @param protocol {@code tcp} or {@code udp}
 */
public record PortMapping(int hostPort, int containerPort, String protocol) {

    private static final Pattern FORM = Pattern.compile("(\\d{1,5}):(\\d{1,5})(?:/([A-Za-z]+))?");

    public PortMapping {
        checkPort("host port", hostPort);
        checkPort("container port", containerPort);
        protocol = protocol == null ? "tcp" : protocol.toLowerCase(Locale.ROOT);
        if (!protocol.equals("tcp") && !protocol.equals("udp")) {
            throw new IllegalArgumentException("port protocol \"" + protocol + "\": expected tcp or udp");
        }
    }

    /** Parses {@code HOSTPORT:CTRPORT[/tcp|udp]}. */
    public static PortMapping parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "port mapping \"" + text + "\": expected HOSTPORT:CONTAINERPORT[/tcp|udp]");
        }
        return new PortMapping(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), m.group(3));
    }

    private static void checkPort(String what, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(what + " " + port + ": expected 1 to 65535");
        }
    }

    @Override
    public String toString() {
        return hostPort + ":" + containerPort + "/" + protocol;
    }
}
