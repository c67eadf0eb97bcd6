package io.isola.launcher.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * An attacker's thin create (for ResidentServerIT): speaks {@link ThinCreate}'s protocol to the
 * server, but clones nothing and reports the pid given as its first argument (another process,
 * not its child) as the container's. Prints the server's EXIT value, or "none" when the server
 * ended without one. The rest of the arguments are the create's command line.
 */
public final class LyingThinClient {

    private LyingThinClient() {}

    public static void main(String[] args) throws IOException {
        int victim = Integer.parseInt(args[0]);
        List<String> create = List.of(args).subList(1, args.length);
        long uid = ServerAddress.currentUid();
        UnixClientSocket channel =
                UnixClientSocket.connect(ServerAddress.of(uid, System.getenv()).socket());
        if (channel == null) {
            System.out.println("no server");
            return;
        }
        try {
            channel.sendFds(0, 1, 2);
            channel.write(Wire.request(
                    ProcessHandle.current().pid(),
                    false,
                    System.getProperty("user.dir"),
                    create,
                    System.getenv(),
                    List.of(),
                    ThinCreate.fdFloor(Integer.MAX_VALUE),
                    Integer.MAX_VALUE));
            byte[] frame = new byte[5];
            if (!channel.readFully(frame) || frame[0] != Wire.ACCEPTED) {
                System.out.println("refused");
                return;
            }
            while (true) {
                int[] fds = channel.receive(frame);
                if (fds == null) {
                    System.out.println("none");
                    return;
                }
                for (int fd : fds) {
                    io.isola.internal.nativ.Fds.closeQuietly(fd); // the protocol's ends: no child holds them
                }
                int value = ByteBuffer.wrap(frame).getInt(1);
                if (frame[0] == Wire.PLAN) {
                    channel.readFully(new byte[value]);
                    channel.write(ByteBuffer.allocate(5)
                            .put(Wire.CLONED)
                            .putInt(victim)
                            .array());
                } else if (frame[0] == Wire.EXIT) {
                    System.out.println(value);
                    return;
                } else {
                    System.out.println("frame " + frame[0]);
                    return;
                }
            }
        } finally {
            channel.close();
        }
    }
}
