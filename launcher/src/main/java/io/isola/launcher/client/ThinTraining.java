package io.isola.launcher.client;

import io.isola.internal.chain.ChildProgram;
import io.isola.internal.chain.CloneMode;
import io.isola.internal.chain.ClonePlan;
import io.isola.internal.chain.CloneThreads;
import io.isola.internal.chain.GatePayload;
import io.isola.internal.launch.HostSignals;
import io.isola.internal.nativ.ThinLibc;
import io.isola.spi.Arg;
import io.isola.spi.LibcCall;
import io.isola.spi.Step;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The thin create's training run for its JDK 25 AOT cache (bin/isola-cds, {@code
 * -XX:AOTCacheOutput}): what a thin create does, without a server or root. A round trip with a
 * stand-in server in this JVM, a clone plan encoded and read back, and a fork-style child cloned
 * through the gate to an exec of {@code /bin/true} (as root, born in a PID namespace joined as an
 * exec's is), reaped; so the cache holds the classes a real create or exec needs.
 */
public final class ThinTraining {

    private static final long SYS_PIPE2 = 293;
    private static final int O_CLOEXEC = 02000000;

    private ThinTraining() {}

    public static void main(String[] args) {
        try {
            run();
        } catch (Exception e) {
            System.err.println("isola thin create training: " + e);
            System.exit(1);
        }
    }

    private static void run() throws Exception {
        ThinLibc libc = new JffiThinLibc();
        ThinCreate.thin(new String[] {"create", "--bundle", "b", "id"});
        ThinCreate.thin(new String[] {"exec", "--process", "p", "--detach", "--pid-file", "f", "id"});
        int fdLimit = libc.openFileLimit();
        int fdFloor = ThinCreate.fdFloor(fdLimit);
        long uid = ServerAddress.currentUid();
        ServerAddress.of(uid, System.getenv());
        Path dir = Files.createTempDirectory("isola-thin-training");
        Path socket = dir.resolve("s.sock");
        ServerStarter.prepare(new ServerAddress(dir.resolve("server"), socket), uid);
        Files.delete(dir.resolve("server"));
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            try (UnixClientSocket client = UnixClientSocket.connect(libc, socket);
                    SocketChannel accepted = server.accept()) {
                client.sendFds(0, 1, 2);
                client.write(Wire.request(
                        ProcessHandle.current().pid(),
                        false,
                        System.getProperty("user.dir"),
                        List.of("create", "--bundle", "b", "id"),
                        System.getenv(),
                        HostSignals.nonDefault(libc),
                        fdFloor,
                        fdLimit));
                accepted.write(ByteBuffer.allocate(5).put(Wire.EXIT).putInt(0).flip());
                client.receive(new byte[5]);
            }
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
        cloneTrue(libc);
    }

    /** A child through the gate to /bin/true, as a plan read back from its bytes, reaped. */
    private static void cloneTrue(ThinLibc libc) throws Exception {
        int[] status = pipe(libc), gate = pipe(libc);
        ChildProgram program = ChildProgram.builder()
                .call("training", Step.call("enter /", LibcCall.CHDIR, Arg.text("/")))
                .gate()
                .exec(List.of("/bin/true"), List.of("true"), List.of());
        ClonePlan plan = ClonePlan.decode(new ClonePlan(program, 0, status[1] + 64, gate[0] + 64).encode());
        long tid = libc.allocate(16);
        // an exec's child is born in the container's PID namespace: as root, this one's own
        int pidNamespace = libc.geteuid() == 0 ? libc.open("/proc/self/ns/pid", O_CLOEXEC) : -1;
        int pid;
        try (CloneThreads threads = new CloneThreads(libc)) {
            pid = threads.clone(plan.program(), 0, status[1], gate[0], tid, CloneMode.FORK, pidNamespace)
                    .get(30, TimeUnit.SECONDS);
        } finally {
            libc.free(tid, 16);
            libc.close(status[1]);
            libc.close(gate[0]);
            if (pidNamespace >= 0) {
                libc.close(pidNamespace);
            }
        }
        ThinChild child = ThinChild.open(libc, pid);
        try {
            byte[] payload = GatePayload.of(program.exec());
            long buffer = libc.allocate(Math.max(payload.length, 64));
            try {
                libc.putBytes(buffer, payload);
                libc.write(gate[1], buffer, payload.length);
                while (libc.read(status[0], buffer, 64) > 0) {
                    // the records, until the exec closes the child's end
                }
            } finally {
                libc.free(buffer, Math.max(payload.length, 64));
            }
            if (!child.awaitExit(Duration.ofSeconds(30))) {
                child.signal(9);
                child.awaitExit(Duration.ofSeconds(10));
                throw new IOException("the training's child did not exit");
            }
        } finally {
            child.close();
            libc.close(status[0]);
            libc.close(gate[1]);
        }
    }

    private static int[] pipe(ThinLibc libc) throws IOException {
        long fds = libc.allocate(8);
        try {
            if (libc.syscall(SYS_PIPE2, fds, O_CLOEXEC, 0, 0) != 0) {
                throw new IOException("pipe2: errno " + libc.lastErrno());
            }
            return new int[] {libc.getInt(fds), libc.getInt(fds + 4)};
        } finally {
            libc.free(fds, 8);
        }
    }
}
