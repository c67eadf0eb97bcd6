package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The sandbox of a pod that ContainerdIT builds as Kubernetes' CRI plugin does: containerd's
 * default spec ({@code ctr oci spec}) with the pod's hostname, a cgroup below the pod's and new
 * net, IPC, UTS, PID and mount namespaces, run by {@code ctr run --config}; then, as CNI would, a
 * veth pair with one end in its network namespace. What the pod left is listed at the end.
 */
final class PodSandbox {

    /** The pod's parent cgroup, as the kubelet makes one per pod; its containers' cgroups go below it. */
    static final String CGROUP_PARENT = "isola-pod-it";

    static final String ID = "pod-sandbox", HOSTNAME = "pod-host";
    private static final String HOST_ADDRESS = "10.251.77.1", POD_ADDRESS = "10.251.77.2";

    /** ctr against the test's containerd. */
    interface Ctr {
        ContainerdIT.Result run(String... args) throws Exception;
    }

    /** Where a user-namespaced pod's ids start on the host (its uid and gid maps: 0 there, 65536 of them). */
    static final long POD_USERS = 210000;

    private final long pid;
    private final String veth;
    private final boolean ownUsers;

    private PodSandbox(long pid, String veth, boolean ownUsers) {
        this.pid = pid;
        this.veth = veth;
        this.ownUsers = ownUsers;
    }

    /** Runs the sandbox with {@code runtime}'s options to ctr run ({@code --runc-binary} and {@code --runc-root}). */
    static PodSandbox start(Ctr ctr, List<String> runtime, Path work, Path rootfs) throws Exception {
        return start(ctr, runtime, work, rootfs, false);
    }

    /**
     * As above; with {@code ownUsers} (Kubernetes' {@code hostUsers: false}) the sandbox has a user
     * namespace of its own, mapped from {@link #POD_USERS}, which the apps join.
     */
    static PodSandbox start(Ctr ctr, List<String> runtime, Path work, Path rootfs, boolean ownUsers) throws Exception {
        for (String tool : List.of("ip", "nsenter")) {
            assumeTrue(
                    Stream.of(System.getenv()
                                    .getOrDefault("PATH", "/usr/sbin:/usr/bin")
                                    .split(":"))
                            .anyMatch(d -> Files.isExecutable(Path.of(d, tool))),
                    tool + " plumbs the pod's veth; install iproute2 and util-linux");
        }
        ObjectMapper json = new ObjectMapper();
        ContainerdIT.Result defaults = ctr.run("oci", "spec");
        assertEquals(0, defaults.code(), defaults::output);
        ObjectNode spec = (ObjectNode) json.readTree(defaults.output());
        spec.putObject("root").put("path", rootfs.toString()).put("readonly", true);
        ((ArrayNode) spec.with("process").putArray("args")).add("sleep").add("100000");
        spec.put("hostname", HOSTNAME);
        spec.with("linux").put("cgroupsPath", "/" + CGROUP_PARENT + "/" + ID);
        if (ownUsers) {
            ((ArrayNode) spec.with("linux").get("namespaces")).addObject().put("type", "user");
            for (String maps : List.of("uidMappings", "gidMappings")) {
                spec.with("linux")
                        .putArray(maps)
                        .addObject()
                        .put("containerID", 0)
                        .put("hostID", POD_USERS)
                        .put("size", 65536);
            }
        }
        Path file = work.resolve(ID + ".json");
        json.writeValue(file.toFile(), spec);
        Path pidFile = work.resolve(ID + ".pid");
        List<String> run =
                new ArrayList<>(List.of("run", "-d", "--config", file.toString(), "--pid-file", pidFile.toString()));
        run.addAll(runtime);
        run.add(ID);
        ContainerdIT.Result started = ctr.run(run.toArray(String[]::new));
        assertEquals(0, started.code(), started::output);
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        String veth = "isolapod" + ProcessHandle.current().pid() % 10000;
        command("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", Long.toString(pid));
        command("ip", "addr", "add", HOST_ADDRESS + "/30", "dev", veth);
        command("ip", "link", "set", veth, "up");
        String net = "--net=/proc/" + pid + "/ns/net";
        command("nsenter", net, "ip", "addr", "add", POD_ADDRESS + "/30", "dev", "eth0");
        command("nsenter", net, "ip", "link", "set", "eth0", "up");
        return new PodSandbox(pid, veth, ownUsers);
    }

    /**
     * ctr's options for an app container of the pod: the sandbox's net, IPC and UTS (and user, in
     * a pod with users of its own) by path, a cgroup below the pod's.
     */
    List<String> appOptions(String id) {
        List<String> options = new ArrayList<>(List.of(
                "--cgroup",
                "/" + CGROUP_PARENT + "/" + id,
                "--with-ns",
                "network:/proc/" + pid + "/ns/net",
                "--with-ns",
                "ipc:/proc/" + pid + "/ns/ipc",
                "--with-ns",
                "uts:/proc/" + pid + "/ns/uts"));
        if (ownUsers) {
            options.addAll(List.of("--with-ns", "user:/proc/" + pid + "/ns/user"));
        }
        return options;
    }

    /** The sandbox's namespace of a type as readlink prints it ({@code net:[4026532248]}). */
    String namespace(String type) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/" + type)).toString();
    }

    /** What the pod serves on port 8080, fetched from the host through the veth. */
    String fetchFromHost(String path) throws Exception {
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + POD_ADDRESS + ":8080" + path))
                .timeout(Duration.ofSeconds(10))
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }

    /**
     * What the pod's containers left once deleted: cgroups below the pod's (whose empty parent
     * is removed here, as the kubelet does), mounts and state named after them, shim processes
     * (which exit shortly after the delete: waited for, bounded) and the host's end of the veth.
     */
    List<String> leftBehind(Path state, List<String> ids) throws Exception {
        List<String> shims = shims(ids);
        for (int i = 0; i < 100 && !shims.isEmpty(); i++) {
            Thread.sleep(100);
            shims = shims(ids);
        }
        List<String> left = new ArrayList<>(shims);
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path hierarchy : hierarchies.toList()) {
                Path parent = hierarchy.resolve(CGROUP_PARENT);
                if (Files.isDirectory(parent)) {
                    try (Stream<Path> children = Files.list(parent)) {
                        children.filter(Files::isDirectory).forEach(c -> left.add("cgroup " + c));
                    }
                    Files.deleteIfExists(parent);
                }
            }
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            if (ids.stream().anyMatch(id -> line.contains("/" + id + "/") || line.contains("/" + id + " "))) {
                left.add("mount " + line.split(" ")[4]);
            }
        }
        for (String id : ids) {
            if (Files.exists(state.resolve(id))) {
                left.add("state " + state.resolve(id));
            }
        }
        if (Files.exists(Path.of("/sys/class/net", veth))) {
            left.add("veth " + veth);
        }
        return left;
    }

    /** Processes of containerd's shim for one of the ids ({@code containerd-shim-runc-v2 -namespace NS -id ID ...}). */
    private static List<String> shims(List<String> ids) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .toList()) {
                String cmdline;
                try {
                    cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
                } catch (IOException gone) {
                    continue;
                }
                List<String> args = List.of(cmdline.split("\0"));
                int id = args.indexOf("-id");
                if (!args.isEmpty()
                        && args.get(0).contains("containerd-shim")
                        && id >= 0
                        && id + 1 < args.size()
                        && ids.contains(args.get(id + 1))) {
                    found.add("shim " + proc.getFileName() + " " + String.join(" ", args));
                }
            }
        }
        return found;
    }

    private static String command(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), () -> String.join(" ", command) + " did not finish");
        assertEquals(0, process.exitValue(), () -> String.join(" ", command) + ": " + out);
        return out;
    }
}
