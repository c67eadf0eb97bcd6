package io.isola.ns.net;

import io.isola.api.Network;
import io.isola.api.PortMapping;
import io.isola.spi.Arg;
import io.isola.spi.LibcCall;
import io.isola.spi.Step;
import io.isola.spi.support.HostIdentity;
import io.isola.spi.support.UserNamespaceView;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What a runtime started by a user other than root can do with networks. The container's network
 * namespace then belongs to its user namespace, where the host user holds no capability: CNI
 * plugins run on the host cannot enter it (nor can a thread of the runtime, as root's {@code
 * Loopback} does: {@code setns} needs CAP_SYS_ADMIN over the namespace), and links, bridges and firewall rules on the host are
 * root's. So {@code --net none} brings {@code lo} up from inside the child (which holds
 * CAP_NET_ADMIN in its own user namespace), {@code --net host} needs nothing, {@code --net bridge}
 * (and so {@code -p}) and {@code --net pasta} are a network of pasta's ({@link Pasta}), and every
 * other network that CNI would build is refused before anything is created.
 */
final class Rootless {

    /** The default runtime directory, which only root may create. */
    static final Path SHARED_RUNTIME_DIR = Path.of("/run/isola/net");

    private static final int AF_INET = 2, SOCK_DGRAM = 2, SOCK_CLOEXEC = 0x80000;
    private static final long SIOCSIFFLAGS = 0x8914, IFF_UP = 1;
    private static final int IFNAMSIZ = 16, IFREQ_SIZE = 40;
    /**
     * The child's socket lands on its lowest free descriptor, which the host cannot name in
     * advance (the runtime keeps its protocol pipes and the spec's descriptors open at numbers it
     * picks at launch); a step cannot use another step's result. So lo is brought up through each
     * descriptor from 3 up to this bound: on anything but the new socket the call fails harmlessly
     * (EBADF on a closed one, ENOTTY on a pipe or file, EPERM on a socket of the host's network,
     * over which the container holds no capability). At most this many descriptors may be kept.
     */
    static final int SCANNED_FDS = 32;

    private Rootless() {}

    /**
     * Refuses, in one sentence, a network that needs root on the host; {@code none}, {@code host},
     * {@code container:ID} and pasta's ({@code bridge}, {@code pasta}) pass.
     */
    static void check(Network network, HostIdentity host) {
        if (host.isRoot()) {
            return;
        }
        if (Pasta.wanted(network, host)) {
            return;
        }
        if (network.mode() == Network.Mode.NAMED && network.target().equals("slirp4netns")) {
            throw new IllegalArgumentException(
                    "--net slirp4netns: isola gives rootless containers their network with pasta"
                            + " (Debian package passt), as podman 5 does; use --net pasta (or --net bridge, or -p, which mean pasta"
                            + " for uid " + host.uid() + ")");
        }
        if (network.mode() == Network.Mode.NAMED) {
            String ports = network.ports().stream()
                    .map(PortMapping::toString)
                    .map(p -> " -p " + p)
                    .collect(Collectors.joining());
            throw new IllegalArgumentException(
                    "--net " + network.target() + ports + ": network \"" + network.target() + "\""
                            + (ports.isEmpty() ? " needs" : " and published ports need") + " root (CNI creates links"
                            + " and firewall rules on the host); as uid " + host.uid()
                            + " use --net pasta (or bridge, or -p: pasta),"
                            + " --net none (only lo) or --net host");
        }
    }

    /**
     * What root is told after the error of a network named {@code pasta} or {@code slirp4netns}
     * that no configuration defines: those are rootless networks; empty for any other.
     */
    static String rootlessOnly(Network network) {
        boolean rootless = network.mode() == Network.Mode.NAMED
                && (network.target().equals("pasta") || network.target().equals("slirp4netns"));
        return rootless
                ? "; " + network.target() + " is the network of containers run by a user other than root:"
                        + " as root use --net bridge"
                : "";
    }

    /** The runtime directory: the configured one for root, else the user's own, as for the launcher's state. */
    static Path runtimeDir(Path configured, HostIdentity host) {
        if (host.isHostRoot() || !configured.equals(SHARED_RUNTIME_DIR)) {
            return configured;
        }
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isEmpty() && Files.isDirectory(Path.of(xdg)) && Files.isWritable(Path.of(xdg))) {
            return Path.of(xdg, "isola", "net");
        }
        long uid = UserNamespaceView.current().directoryUid(host.uid());
        return Path.of(System.getProperty("java.io.tmpdir"), "isola-" + uid, "net");
    }

    /** The child's steps that bring lo up in its network namespace. */
    static List<Step> loopbackUp() {
        List<Step> steps = new ArrayList<>();
        steps.add(Step.call(
                "open a socket in the container's network namespace",
                LibcCall.SOCKET,
                Arg.word(AF_INET),
                Arg.word(SOCK_DGRAM | SOCK_CLOEXEC),
                Arg.word(0)));
        byte[] ifreq = new byte[IFREQ_SIZE];
        byte[] name = "lo".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(name, 0, ifreq, 0, name.length);
        ifreq[IFNAMSIZ] = (byte) IFF_UP; // ifr_flags, a little-endian short right after the name
        for (int fd = 3; fd < 3 + SCANNED_FDS; fd++) {
            steps.add(Step.call(
                            "bring lo up through fd " + fd,
                            LibcCall.IOCTL,
                            Arg.word(fd),
                            Arg.word(SIOCSIFFLAGS),
                            new Arg.Bytes(ifreq))
                    .tolerating("EBADF", "ENOTTY", "EPERM", "ENOTSOCK", "EOPNOTSUPP"));
        }
        return steps;
    }
}
