package io.isola.launcher.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.internal.chain.ChildProgram;
import io.isola.internal.chain.ClonePlan;
import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.Pidfd;
import io.isola.launcher.client.ServerAddress;
import io.isola.launcher.client.Wire;
import io.isola.lifecycle.MonitorProcess;
import io.isola.spi.Arg;
import io.isola.spi.LibcCall;
import io.isola.spi.Step;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The thin client (a JVM of its own, as bin/isola runs it) against a stand-in server that fails
 * after the client has cloned: the child, held at its gate by the server, is killed by the client
 * before it exits, not left waiting for the server to close the gate.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ThinClientFailureIT {

    @TempDir
    Path tmp;

    @Test
    void aFailureAfterTheCloneKillsTheChildAtOnce() throws Exception {
        Path dir = Files.createDirectory(
                tmp.resolve("srv"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        System.setProperty("isola.server.dir", dir.toString());
        ServerAddress address;
        try {
            address = ServerAddress.of(ServerAddress.currentUid(), System.getenv());
        } finally {
            System.clearProperty("isola.server.dir");
        }
        int listener = Sockets.linux().listen(address.socket(), 1);
        int[] status = Fds.pipe(), gate = Fds.pipe();
        Process client = null;
        try {
            List<String> command = new ArrayList<>(MonitorProcess.javaCommand(
                    "io.isola.launcher.client.ThinCreate", List.of("create", "--bundle", tmp.toString(), "c1")));
            command.add(1, "-Disola.server.dir=" + dir);
            command.add(1, "-Disola.home=" + System.getProperty("isola.home", ""));
            command.add(1, "-Disola.bundles=" + System.getProperty("isola.bundles", ""));
            command.add(1, "-Disola.conf=" + System.getProperty("isola.conf", ""));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(tmp.resolve("client.err").toFile());
            builder.environment().remove("ISOLA_SERVER");
            client = builder.start();
            JvmConnection connection = new JvmConnection(Sockets.linux().accept(listener), Sockets.linux());
            ClientRequest request = connection.accept(
                    ServerAddress.currentUid(), new PeerLog(LoggerFactory.getLogger(ThinClientFailureIT.class)));
            JvmConnection.closeAll(request.stdio());
            assertTrue(request.clones(), "a thin client's request");
            connection.frame(Wire.ACCEPTED, 0);
            ChildProgram program = ChildProgram.builder()
                    .call("test", Step.call("enter /", LibcCall.CHDIR, Arg.text("/")))
                    .gate()
                    .exec(List.of("/bin/true"), List.of("true"), List.of());
            connection.sendPlan(
                    new ClonePlan(program, 0, request.clonerFdFloor(), request.clonerFdFloor() + 1).encode(),
                    new int[] {status[1], gate[0]});
            Thread frames = new Thread(() -> {
                try {
                    while (true) {
                        connection.nextSignal();
                    }
                } catch (java.io.IOException e) {
                    // the client has gone
                }
            });
            frames.setDaemon(true);
            frames.start();
            int pid = connection.awaitCloned(120_000);
            assertTrue(pid > 0, "the client cloned: " + pid);
            try (Pidfd child = Pidfd.open(pid)) {
                connection.frame((byte) 'Z', 0); // a frame no client knows: the session fails after the clone
                assertTrue(client.waitFor(120, TimeUnit.SECONDS), "the client did not exit");
                assertEquals(1, client.exitValue(), Files.readString(tmp.resolve("client.err")));
                // we still hold the gate open: only the client could have ended the child by now
                assertTrue(child.awaitEnd(Duration.ZERO), "the child was left waiting at its gate");
            }
            connection.close();
        } finally {
            if (client != null) {
                client.destroyForcibly();
            }
            for (int fd : new int[] {listener, status[0], status[1], gate[0], gate[1]}) {
                Fds.closeQuietly(fd); // the gate's end of file ends a child left behind (127)
            }
            Files.deleteIfExists(address.socket());
        }
    }
}
