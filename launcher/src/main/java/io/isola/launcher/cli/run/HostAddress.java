package io.isola.launcher.cli.run;

import java.net.Inet4Address;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.regex.Pattern;

/**
 * A {@code -p IP:...} address: an IPv4 address (isola's networks are IPv4; no name, which would
 * be looked up) that one of the host's interfaces has. portmap would accept any, and its rule
 * would then never match: Docker's proxy fails to bind such an address, so isola refuses it too.
 */
final class HostAddress {

    private static final Pattern IPV4 =
            Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

    private HostAddress() {}

    /** {@code address}, checked; {@code flag} is the whole -p value, for the message. */
    static String local(String flag, String address) {
        if (!IPV4.matcher(address).matches()) {
            throw new IllegalArgumentException("-p \"" + flag + "\": host address \"" + address
                    + "\": expected an IPv4 address of this host (isola's networks are IPv4), or 0.0.0.0 for all");
        }
        try {
            boolean found = NetworkInterface.networkInterfaces()
                    .flatMap(NetworkInterface::inetAddresses)
                    .anyMatch(
                            a -> a instanceof Inet4Address && a.getHostAddress().equals(address));
            if (!found) {
                throw new IllegalArgumentException("-p \"" + flag + "\": " + address
                        + " is not an address of this host; expected one of its addresses (ip -4 addr) or 0.0.0.0");
            }
        } catch (SocketException e) {
            throw new IllegalArgumentException(
                    "-p \"" + flag + "\": cannot list this host's addresses to check " + address + ": "
                            + e.getMessage(),
                    e);
        }
        return address;
    }
}
