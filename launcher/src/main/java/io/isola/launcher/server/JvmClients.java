package io.isola.launcher.server;

import io.isola.launcher.client.Wire;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thin JVM client's protocol ({@link Wire}) on the server's unix socket: the kernel tells who
 * connected (SO_PEERCRED), the request carries the client's environment.
 */
final class JvmClients implements ClientProtocol {

    static final JvmClients PROTOCOL = new JvmClients();
    private static final Logger LOG = LoggerFactory.getLogger(JvmClients.class);

    private JvmClients() {}

    @Override
    public ClientRequest accept(int fd, long uid, DataInputStream in, OutputStream reply) throws IOException {
        Sockets.Peer peer = Sockets.peer(fd);
        if (peer.uid() != uid) {
            LOG.warn("refused a client of uid {} (pid {}): this server serves uid {} only", peer.uid(), peer.pid(), uid);
            frame(reply, Wire.REFUSED, 0);
            return null;
        }
        ClientRequest request = read(in);
        if (request.pid() != peer.pid()) {
            LOG.warn("refused a client whose pid {} is not its connection's ({})", request.pid(), peer.pid());
            frame(reply, Wire.REFUSED, 0);
            return null;
        }
        return request;
    }

    @Override
    public void frame(OutputStream reply, byte type, int value) throws IOException {
        reply.write(java.nio.ByteBuffer.allocate(5).put(type).putInt(value).array());
        reply.flush();
    }

    @Override
    public int nextSignal(DataInputStream in) throws IOException {
        while (true) {
            byte type = in.readByte();
            int value = in.readInt();
            if (type == Wire.SIGNAL) {
                return value;
            }
        }
    }

    private static ClientRequest read(DataInputStream in) throws IOException {
        if (in.readInt() != Wire.MAGIC) {
            throw new IOException("not an isola client");
        }
        long pid = Integer.toUnsignedLong(in.readInt());
        boolean tty = in.readByte() != 0;
        String cwd = string(in);
        List<String> args = new ArrayList<>();
        for (int i = count(in); i > 0; i--) {
            args.add(string(in));
        }
        Map<String, String> env = new HashMap<>();
        for (int i = count(in); i > 0; i--) {
            ClientRequest.addVariable(env, string(in));
        }
        return new ClientRequest(pid, ClientRequest.STANDARD, tty, cwd, args, env);
    }

    private static int count(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > Wire.MAX_ITEMS) {
            throw new IOException("bad count " + n);
        }
        return n;
    }

    private static String string(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > Wire.MAX_STRING) {
            throw new IOException("bad string length " + length);
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
