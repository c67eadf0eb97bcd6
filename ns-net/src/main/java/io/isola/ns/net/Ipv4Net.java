package io.isola.ns.net;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** An IPv4 network ({@code 10.77.0.0/16}), for the subnet checks against the host's routes. */
record Ipv4Net(int address, int prefix) {

    /** An IPv4 route of the host: its network and the interface it leaves through. */
    record Route(Ipv4Net destination, String device) {}

    Ipv4Net {
        address = address & mask(prefix);
    }

    /** Parses {@code a.b.c.d/n}; empty for anything else (IPv6 ranges are not checked). */
    static Optional<Ipv4Net> parse(String cidr) {
        String[] parts = cidr.split("/");
        if (parts.length != 2) {
            return Optional.empty();
        }
        String[] octets = parts[0].split("\\.");
        if (octets.length != 4) {
            return Optional.empty();
        }
        try {
            int address = 0;
            for (String octet : octets) {
                int value = Integer.parseInt(octet);
                if (value < 0 || value > 255) {
                    return Optional.empty();
                }
                address = address << 8 | value;
            }
            int prefix = Integer.parseInt(parts[1]);
            return prefix < 0 || prefix > 32 ? Optional.empty() : Optional.of(new Ipv4Net(address, prefix));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * The subnet of the first IPv4 address of interface {@code name}, up or down: a bridge set down
     * has lost its routes but keeps its address, which the bridge plugin still insists on.
     */
    static Optional<Ipv4Net> ofInterface(String name) {
        try {
            NetworkInterface link = NetworkInterface.getByName(name);
            if (link == null) {
                return Optional.empty();
            }
            for (InterfaceAddress address : link.getInterfaceAddresses()) {
                if (address.getAddress() instanceof Inet4Address v4) {
                    return parse(v4.getHostAddress() + "/" + address.getNetworkPrefixLength());
                }
            }
            return Optional.empty();
        } catch (SocketException e) {
            return Optional.empty();
        }
    }

    boolean overlaps(Ipv4Net other) {
        int common = Math.min(prefix, other.prefix);
        return (address & mask(common)) == (other.address & mask(common));
    }

    /** The n-th host address ({@code .1} for the gateway). */
    String host(int n) {
        return format(address + n);
    }

    private static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    private static String format(int a) {
        return (a >>> 24) + "." + (a >>> 16 & 255) + "." + (a >>> 8 & 255) + "." + (a & 255);
    }

    @Override
    public String toString() {
        return format(address) + "/" + prefix;
    }

    /**
     * The host's IPv4 routes from {@code /proc/net/route} (this process's network namespace),
     * without default routes, which overlap every subnet and are not a clash.
     */
    static List<Route> hostRoutes() {
        List<Route> routes = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/net/route"));
        } catch (IOException e) {
            return routes;
        }
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 8) {
                continue;
            }
            // the kernel prints addresses as the hex of the in-memory (network order) word, little-endian here
            int destination = Integer.reverseBytes((int) Long.parseLong(f[1], 16));
            int mask = Integer.reverseBytes((int) Long.parseLong(f[7], 16));
            int prefix = Integer.bitCount(mask);
            if (prefix > 0) {
                routes.add(new Route(new Ipv4Net(destination, prefix), f[0]));
            }
        }
        return routes;
    }
}
