package io.isola.api;

import java.util.regex.Pattern;

/**
 * Spec extension: the IPv4 address the container asks for on its user-defined network ({@code
 * --ip}), instead of the next free one. The network's IPAM hands it out if it is in the subnet
 * and free; the network must declare the CNI {@code ips} capability (those of {@code isola
 * network create} do).
 *
 * @param ipv4 a dotted IPv4 address
 */
public record NetworkAddress(String ipv4) {

    private static final Pattern IPV4 =
            Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");

    public NetworkAddress {
        if (ipv4 == null || !IPV4.matcher(ipv4).matches()) {
            throw new IllegalArgumentException("--ip \"" + ipv4 + "\": expected an IPv4 address such as 10.90.0.5");
        }
    }
}
