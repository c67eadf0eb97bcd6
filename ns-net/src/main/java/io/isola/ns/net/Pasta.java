package io.isola.ns.net;

import io.isola.api.Network;
import io.isola.api.PortMapping;
import io.isola.spi.support.HostIdentity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A rootless container's network through pasta (Debian package {@code passt}), as podman 5's
 * default: pasta, run by the user, joins the container's user and network namespaces (the user
 * owns them, so it holds every capability there), makes a tap device {@code eth0} with the host's
 * address and routes, and carries the container's traffic through ordinary sockets of the user's
 * on the host; published ports are sockets it listens on, on the host's addresses and loopback.
 * It runs in the background once the namespace is configured and does not notice the container's
 * end (the namespace is named by a {@code /proc} path, which is never deleted): {@link #stop}
 * ends it, when the container is removed or swept.
 *
 * <p>The tap device is made by opening {@code /dev/net/tun}, which the kernel checks against the
 * node's mode: Debian's udev rules make it 0666; a host where it is 0600 lets only root make one,
 * and the refusal says so before anything is created.
 */
final class Pasta {

    private static final Logger LOG = LoggerFactory.getLogger(Pasta.class);
    static final Path TUN = Path.of("/dev/net/tun");
    /** pasta returns once the namespace is configured; it took 30-60 ms here. */
    private static final long START_SECONDS = 15;

    private static final String PID_FILE = "pasta.pid";

    private final Path binary;
    private final List<PortMapping> ports;

    private Pasta(Path binary, List<PortMapping> ports) {
        this.binary = binary;
        this.ports = List.copyOf(ports);
    }

    /** Whether a rootless runtime gives {@code network} a pasta network: {@code bridge} (so {@code -p}) or {@code pasta}. */
    static boolean wanted(Network network, HostIdentity host) {
        return !host.isRoot()
                && (network.mode() == Network.Mode.BRIDGE
                        || network.mode() == Network.Mode.NAMED
                                && network.target().equals("pasta"));
    }

    /**
     * The network of a container that asks for none: for a user other than root whose configured
     * default is {@code none}, pasta when it is installed and the user may open {@code tun}, as
     * podman 5 defaults to it; else {@code configured}, so that a host without pasta or with a tun
     * device only root may open still runs rootless containers (with only lo) by default.
     */
    static Network rootlessDefault(Network configured, HostIdentity host, String path, Path tun) {
        if (host.isRoot()
                || configured.mode() != Network.Mode.NONE
                || find(path) == null
                || !Files.isReadable(tun)
                || !Files.isWritable(tun)) {
            return configured;
        }
        return Network.parse("pasta");
    }

    /**
     * pasta for {@code network}, found on {@code path}; throws, naming the network, what is missing
     * and what to do, when pasta is not installed or the user cannot open the tun device {@code tun}.
     */
    static Pasta of(Network network, HostIdentity host, String path, Path tun) {
        String what = "--net " + (network.mode() == Network.Mode.BRIDGE ? "bridge" : network.target())
                + network.ports().stream().map(p -> " -p " + p).collect(Collectors.joining());
        Path binary = find(path);
        if (binary == null) {
            throw new IllegalArgumentException(
                    what + ": a rootless network (uid " + host.uid() + ") needs pasta, which is"
                            + " not installed (Debian package passt); install it, or use --net none (only lo) or --net host");
        }
        if (!Files.isReadable(tun) || !Files.isWritable(tun)) {
            throw new IllegalArgumentException(what + ": pasta needs to open " + tun + ", which uid " + host.uid()
                    + " may not (" + describe(tun) + "); distributions make it 0666 (Debian's udev rules do): as root, "
                    + "chmod 0666 " + tun + ", or use --net none (only lo) or --net host");
        }
        return new Pasta(binary, network.ports());
    }

    private static String describe(Path tun) {
        try {
            int mode = (Integer) Files.getAttribute(tun, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
            int owner = (Integer) Files.getAttribute(tun, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            return String.format("mode %04o, owner uid %d", mode, owner);
        } catch (IOException | RuntimeException e) {
            return "missing";
        }
    }

    /** {@code pasta} in the directories of {@code path} (PATH's syntax; null: /usr/local/bin:/usr/bin:/bin); null when none. */
    static Path find(String path) {
        for (String dir : (path == null ? "/usr/local/bin:/usr/bin:/bin" : path).split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "pasta"))) {
                return Path.of(dir, "pasta");
            }
        }
        return null;
    }

    /** pasta's command line for the container whose first process is {@code pid}, its pid file in {@code dir}. */
    List<String> command(long pid, Path dir) {
        List<String> command = new ArrayList<>(List.of(
                binary.toString(),
                "--config-net",
                "--quiet",
                "--pid",
                dir.resolve(PID_FILE).toString()));
        addPorts(command, "-t", "tcp");
        addPorts(command, "-u", "udp");
        // no ports of the host's forwarded into the container
        command.addAll(List.of(
                "-T",
                "none",
                "-U",
                "none",
                "--userns",
                "/proc/" + pid + "/ns/user",
                "--netns",
                "/proc/" + pid + "/ns/net"));
        return command;
    }

    private void addPorts(List<String> command, String flag, String protocol) {
        List<String> specs = ports.stream()
                .filter(p -> p.protocol().equals(protocol))
                .map(p -> (p.hostIp() == null ? "" : p.hostIp() + "/") + p.hostPort() + ":" + p.containerPort())
                .toList();
        command.add(flag);
        command.add(specs.isEmpty() ? "none" : String.join(",", specs));
    }

    /**
     * Starts pasta for the container whose first process is {@code pid} and waits until its
     * network is configured; its pid and output go to the container's directory {@code dir}.
     */
    void start(long pid, Path dir) throws IOException, InterruptedException {
        List<String> command = command(pid, dir);
        LOG.debug("starting {}", command);
        // a file, not a pipe: the daemon it becomes must not hold a pipe of ours open
        Path output = dir.resolve("pasta.out");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
        if (!process.waitFor(START_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("pasta did not configure the container's network within " + START_SECONDS + " s");
        }
        if (process.exitValue() != 0) {
            // it also tells syslog, which a host without one answers with "Failed to send N bytes to syslog"
            String said = Files.readString(output, StandardCharsets.UTF_8)
                    .lines()
                    .filter(l -> !l.startsWith("Failed to send"))
                    .collect(Collectors.joining("; "));
            throw new IOException("pasta failed (exit status " + process.exitValue() + "): " + said);
        }
    }

    /**
     * Ends container {@code id}'s pasta, whose pid file is in {@code dir} (the container's
     * directory, or a sweep's claim of it), if it still runs.
     */
    static void stop(Path dir, String id) {
        Path pidFile = dir.resolve(PID_FILE);
        String started = "/" + id + "/" + PID_FILE; // the directory's name when pasta started
        try {
            if (!Files.exists(pidFile, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            // only this container's pasta: a pid reused since names another pid file, or none
            ProcessHandle.of(pid)
                    .filter(h -> h.info()
                            .arguments()
                            .map(a -> List.of(a).stream().anyMatch(arg -> arg.endsWith(started)))
                            .orElse(false))
                    .ifPresent(ProcessHandle::destroy);
        } catch (IOException | NumberFormatException e) {
            LOG.debug("cannot stop pasta from {}: {}", pidFile, e.toString());
        }
    }
}
