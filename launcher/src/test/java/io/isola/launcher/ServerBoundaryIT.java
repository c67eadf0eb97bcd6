package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.lifecycle.MonitorProcess;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resident server's boundary (issue 23, escape 1): a container that shares the host's network
 * sniffed the shell client's token on a loopback port and replayed it to run a privileged
 * container. The server must listen on no IP socket, run nothing that anyone replays, refuse
 * other users by the kernel's check, and give a flood of idle connections no thread each.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ServerBoundaryIT {

    private static final Path SCRIPT = Path.of("../dist/src/main/dist/lib/shell-client.bash")
            .toAbsolutePath()
            .normalize();
    /** The server's bound on commands at once (ResidentServer.MAX_SESSIONS), a frames thread each, and slack. */
    private static final int THREAD_BOUND = 2 * 64 + 16;

    @TempDir
    Path tmp;

    private Path home;
    private Path serverDir;
    private Path root;

    @BeforeEach
    void setUp() throws IOException {
        RootOnly.require();
        home = Files.createDirectory(tmp.resolve("home"));
        Files.createSymbolicLink(
                home.resolve("bundles"),
                Path.of(System.getProperty("isola.bundles")).toAbsolutePath());
        Path conf = Files.createDirectory(home.resolve("conf"));
        try (Stream<Path> files = Files.list(Path.of("../dist/src/main/dist/conf"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".cfg")).toList()) {
                Files.copy(file, conf.resolve(file.getFileName()));
            }
        }
        serverDir = tmp.resolve("srv");
        root = Files.createDirectory(tmp.resolve("state"));
    }

    @AfterEach
    void stopServers() throws Exception {
        ResidentServers.stopAll(serverDir);
        if (home != null) {
            Files.deleteIfExists(home.resolve("bundles"));
        }
    }

    @Test
    void theServerHoldsNoIpSocket() throws Exception {
        long server = startServer();
        assertEquals(0, shell("isola run -- true | cat").code());

        assertEquals(Set.of(), ipSockets(server), "the server holds IP sockets (inodes)");
    }

    /**
     * What a sniffer on loopback learns is whatever crosses the server's IP sockets: the endpoint
     * file's secrets are what the shell client sent. Replayed to every port the server listens on,
     * with a command line that leaves a mark on the host, it must run nothing.
     */
    @Test
    void nothingSeenOnTheNetworkRunsACommand() throws Exception {
        long server = startServer();
        assertEquals(0, shell("isola run -- true | cat").code());
        Path mark = Files.createDirectory(tmp.resolve("mark"));
        List<String> command =
                List.of("--root", root.toString(), "run", "-v", mark + ":/mnt", "--", "touch", "/mnt/replayed");
        for (int port : listeningPorts(server)) {
            for (String token : secretsOfTheEndpointFile()) {
                try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    socket.setSoTimeout(10_000);
                    OutputStream out = socket.getOutputStream();
                    StringBuilder request = new StringBuilder("isola-shell-1\0" + token + "\0");
                    request.append(ProcessHandle.current().pid())
                            .append("\0")
                            .append("0 1 2\0")
                            .append("0\0/\0")
                            .append(command.size())
                            .append("\0");
                    command.forEach(arg -> request.append(arg).append('\0'));
                    out.write(request.toString().getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    readUntilClosed(socket.getInputStream());
                } catch (IOException e) {
                    // refused or reset: nothing ran
                }
            }
        }
        // an announcement of FIFOs that nobody holds open, with the request in them, is no command either
        Path channel = serverDir.resolve("c-1-1");
        for (String end : List.of(".i", ".o")) {
            assertEquals(
                    0,
                    new ProcessBuilder("mkfifo", "-m", "600", channel + end)
                            .inheritIO()
                            .start()
                            .waitFor());
        }
        // pid 1 is the server's user's but does not hold the FIFOs; after the real command that
        // follows, the server has read the forged line (it reads its door in order)
        Result forged = shell(
                "exec 7<>" + channel + ".i 8<>" + channel + ".o; printf '%s\\0' 1 '0 1 2' 0 / " + command.size()
                        + " " + String.join(" ", command) + " >&7; printf 'c-1-1 1 7 8\\n' >&9;"
                        + " (isola run -- true | cat); read -t 1 -u 8 answer || echo none",
                "9<>" + fifo());
        assertEquals("none\n", forged.out(), forged.err());
        assertFalse(Files.exists(mark.resolve("replayed")), "a replayed request ran a command on the host");
        assertTrue(ProcessHandle.of(server).isPresent(), "the server died");
        assertEquals(0, shell("isola run -- true | cat").code(), "the server stopped serving");
    }

    @Test
    void anotherUserCannotReachTheServer() throws Exception {
        long server = startServer();
        assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/setpriv")) && Files.isExecutable(Path.of("/usr/bin/python3")),
                "setpriv(1) (util-linux) or python3 is not installed");
        Path socket = socket();
        // the way to the server's directory open to all: what refuses the stranger is its 0700
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(serverDir)));
        Result stranger = run(new ProcessBuilder(
                "/usr/bin/setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "/usr/bin/python3",
                "-c",
                "import socket,sys\n"
                        + "s=socket.socket(socket.AF_UNIX)\n"
                        + "try:\n s.connect(sys.argv[1]); print('connected')\n"
                        + "except PermissionError: print('refused')\n"
                        + "try:\n open(sys.argv[2],'w'); print('opened')\n"
                        + "except PermissionError: print('refused')\n",
                socket.toString(),
                fifo().toString()));
        assertEquals("refused\nrefused\n", stranger.out(), stranger.err());
        assertEquals(List.of(), listeningPorts(server), "ports of the server, open to every local user");
    }

    /** A local user's thousands of connections drove a server to 6,313 threads: they get none of their own. */
    @Test
    void idleConnectionsGetNoThreadOfTheirOwn() throws Exception {
        long server = startServer();
        int threadsBefore = count(Path.of("/proc", Long.toString(server), "task"));
        List<SocketChannel> connections = new ArrayList<>();
        int most = threadsBefore;
        try {
            for (int i = 0; i < 2000; i++) {
                SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                channel.connect(UnixDomainSocketAddress.of(socket()));
                channel.configureBlocking(false);
                connections.add(channel);
                if (i % 100 == 0) {
                    most = Math.max(most, count(Path.of("/proc", Long.toString(server), "task")));
                }
            }
            // the server answers or closes each (the refused at once, the rest within its handshake time)
            Set<SocketChannel> open = new HashSet<>(connections);
            ByteBuffer buffer = ByteBuffer.allocate(16);
            for (int round = 0; round < 600 && !open.isEmpty(); round++) {
                most = Math.max(most, count(Path.of("/proc", Long.toString(server), "task")));
                for (SocketChannel channel : List.copyOf(open)) {
                    buffer.clear();
                    try {
                        if (channel.read(buffer) < 0) {
                            open.remove(channel);
                        }
                    } catch (IOException e) {
                        open.remove(channel); // reset by the server: closed too
                    }
                }
                Thread.sleep(100);
            }
            assertTrue(
                    most <= threadsBefore + THREAD_BOUND,
                    "the server grew from " + threadsBefore + " to " + most + " threads");
            assertEquals(0, open.size(), "connections the server neither served nor closed");
        } finally {
            for (SocketChannel channel : connections) {
                channel.close();
            }
        }
        assertEquals(0, shell("isola run -- true | cat").code(), "the server stopped serving");
        long warnings = Files.readAllLines(only(".log")).stream()
                .filter(line -> line.contains("WARN"))
                .count();
        assertTrue(warnings < 100, warnings + " warnings logged for one peer's connections");
    }

    // ----------------------------------------------------------------------------------------

    /** The inodes of the IP sockets (TCP, UDP, raw; v4 and v6) among process {@code pid}'s fds. */
    private static Set<String> ipSockets(long pid) throws IOException {
        Set<String> ip = new HashSet<>();
        for (String table : List.of("tcp", "tcp6", "udp", "udp6", "raw", "raw6")) {
            Path file = Path.of("/proc", Long.toString(pid), "net", table);
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file)
                        .subList(1, Files.readAllLines(file).size())) {
                    ip.add(line.trim().split("\\s+")[9]);
                }
            }
        }
        Set<String> held = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        String inode = target.substring(8, target.length() - 1);
                        if (ip.contains(inode)) {
                            held.add(inode);
                        }
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        return held;
    }

    /** The TCP ports on which process {@code pid} listens. */
    private static List<Integer> listeningPorts(long pid) throws IOException {
        Set<String> held = ipSockets(pid);
        List<Integer> ports = new ArrayList<>();
        for (String table : List.of("tcp", "tcp6")) {
            List<String> lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "net", table));
            for (String line : lines.subList(1, lines.size())) {
                String[] fields = line.trim().split("\\s+");
                if (fields[3].equals("0A") && held.contains(fields[9])) { // TCP_LISTEN
                    ports.add(Integer.parseInt(fields[1].substring(fields[1].indexOf(':') + 1), 16));
                }
            }
        }
        return ports;
    }

    /** The words of the shell endpoint file that look like secrets (what a sniffer saw the client send). */
    private List<String> secretsOfTheEndpointFile() throws IOException {
        List<String> secrets = new ArrayList<>();
        try (Stream<Path> files = Files.list(serverDir)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".shell")).toList()) {
                for (String word : Files.readString(file).split("\\s+")) {
                    if (word.matches("[0-9a-f]{32}")) {
                        secrets.add(word);
                    }
                }
            }
        }
        return secrets;
    }

    private static void readUntilClosed(InputStream in) throws IOException {
        byte[] buffer = new byte[256];
        while (in.read(buffer) >= 0) {
            // the server's frames: whatever it says, the mark on the host decides
        }
    }

    private static int count(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return (int) entries.count();
        }
    }

    private Path socket() throws IOException {
        return only(".sock");
    }

    private Path fifo() throws IOException {
        Path sock = socket();
        return sock.resolveSibling(sock.getFileName().toString().replaceFirst("\\.sock$", ".fifo"));
    }

    private Path only(String suffix) throws IOException {
        try (Stream<Path> files = Files.list(serverDir)) {
            return files.filter(p -> p.toString().endsWith(suffix))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no " + suffix));
        }
    }

    /** Starts the server as bin/isola does (the JVM client's first command); its pid. */
    private long startServer() throws Exception {
        List<String> server = new ArrayList<>(MonitorProcess.javaCommand(Main.class.getName(), List.of()));
        server.add(1, "-Disola.home=" + home);
        List<String> client = new ArrayList<>(MonitorProcess.javaCommand(
                "io.isola.launcher.client.Client", List.of("--root", root.toString(), "run", "--", "true")));
        client.add(1, "-Disola.home=" + home);
        client.add(1, "-Disola.server.dir=" + serverDir);
        client.add(1, "-Disola.server.command=" + String.join(" ", server));
        ProcessBuilder builder = new ProcessBuilder(client).redirectErrorStream(true);
        builder.environment().put("ISOLA_SERVER_IDLE", "120");
        builder.environment().remove("ISOLA_SERVER");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output);
        List<ProcessHandle> running = ResidentServers.running(serverDir);
        assertEquals(1, running.size(), "servers running");
        return running.get(0).pid();
    }

    private record Result(int code, String out, String err) {}

    /** Runs {@code script} in bash, where {@code isola} is bin/isola's shell client for the test's installation. */
    private Result shell(String script) throws Exception {
        return shell(script, "");
    }

    private Result shell(String script, String redirections) throws Exception {
        String isola = "isola() { ISOLA_HOME=" + home + "; . " + SCRIPT + "; isola_shell_client --root " + root
                + " \"$@\"; exit 99; }\n";
        ProcessBuilder builder =
                new ProcessBuilder("bash", "-c", "set -eu\n" + isola + "{\n" + script + "\n} " + redirections);
        return run(builder);
    }

    private Result run(ProcessBuilder builder) throws Exception {
        builder.environment().put("ISOLA_SERVER_DIR", serverDir.toString());
        builder.environment().remove("ISOLA_SERVER");
        builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process process = builder.start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the shell did not exit");
        return new Result(process.exitValue(), out, err.join());
    }
}
