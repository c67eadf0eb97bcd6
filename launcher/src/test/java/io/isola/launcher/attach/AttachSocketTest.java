package io.isola.launcher.attach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The holder's last line of defence: should the state directory's 0700 ever be lost (an old
 * isola's 0755 directory, a mistaken chmod), another user who reaches {@code attach.sock} must
 * still not get the container's terminal. The attack is a real connect from uid 65534.
 */
class AttachSocketTest {

    @TempDir
    Path dir;

    @Test
    void anotherUserWhoReachesTheSocketMayNotAttachButItsOwnerMay() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        UserPrincipal root = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("root");
        try (ServerSocketChannel server = AttachSocket.listen(dir)) {
            Path socket = dir.resolve(AttachSocket.NAME);
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));

            Process nobody = new ProcessBuilder(
                            "setpriv",
                            "--reuid=65534",
                            "--regid=65534",
                            "--clear-groups",
                            "/usr/bin/python3",
                            "-c",
                            "import socket,sys\n"
                                    + "s=socket.socket(socket.AF_UNIX)\n"
                                    + "s.connect(sys.argv[1])\n"
                                    + "print('connected', flush=True)\n"
                                    + "sys.stdin.read()",
                            socket.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(nobody.getInputStream(), StandardCharsets.UTF_8))) {
                assertEquals("connected", out.readLine(), "uid 65534 reached the socket: the attack is set up");
                try (SocketChannel fromNobody = server.accept()) {
                    assertFalse(AttachSocket.mayAttach(fromNobody, root, root));
                }
            } finally {
                nobody.destroy();
                assertTrue(nobody.waitFor(10, TimeUnit.SECONDS));
            }

            try (SocketChannel ours = AttachSocket.connect(dir);
                    SocketChannel fromRoot = server.accept()) {
                assertTrue(AttachSocket.mayAttach(fromRoot, root, root));
            }
        }
    }
}
