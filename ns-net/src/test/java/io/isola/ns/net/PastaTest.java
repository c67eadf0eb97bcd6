package io.isola.ns.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.Network;
import io.isola.api.PortMapping;
import io.isola.spi.support.HostIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A rootless network through pasta: when it is used, its command line, and what is refused before anything exists. */
class PastaTest {

    private static final HostIdentity USER = new HostIdentity(1001, 1001);
    private static final HostIdentity ROOT = new HostIdentity(0, 0);

    @TempDir
    Path tmp;

    private Path pasta() throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path pasta = Files.writeString(bin.resolve("pasta"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(pasta, PosixFilePermissions.fromString("rwxr-xr-x"));
        return pasta;
    }

    private Path tun(String mode) throws IOException {
        Path tun = Files.writeString(tmp.resolve("tun"), "");
        Files.setPosixFilePermissions(tun, PosixFilePermissions.fromString(mode));
        return tun;
    }

    @Test
    void bridgePublishedPortsAndPastaMeanPastaForAUserOnly() {
        assertTrue(Pasta.wanted(Network.bridge(), USER));
        assertTrue(Pasta.wanted(Network.bridge().publish(new PortMapping(8080, 80, "tcp")), USER));
        assertTrue(Pasta.wanted(Network.parse("pasta"), USER));
        assertFalse(Pasta.wanted(Network.parse("none"), USER));
        assertFalse(Pasta.wanted(Network.parse("mynet"), USER));
        assertFalse(Pasta.wanted(Network.bridge(), ROOT));
    }

    /** podman 5's rootless default, where it can work: pasta installed, a tun device the user may open. */
    @Test
    void aUsersDefaultNetworkIsPastaWhereItIsInstalledAndTheTunDeviceMayBeOpened() throws IOException {
        String path = pasta().getParent().toString();
        Network none = Network.none();
        assertEquals(Network.parse("pasta"), Pasta.rootlessDefault(none, USER, path, tun("rw-rw-rw-")));
        assertEquals(none, Pasta.rootlessDefault(none, ROOT, path, tun("rw-rw-rw-")), "root keeps the configured none");
        assertEquals(
                none,
                Pasta.rootlessDefault(none, USER, tmp.resolve("empty").toString(), tun("rw-rw-rw-")),
                "no pasta installed");
        assertEquals(
                Network.parse("mynet"),
                Pasta.rootlessDefault(Network.parse("mynet"), USER, path, tun("rw-rw-rw-")),
                "a configured network other than none is kept");
    }

    @Test
    void theCommandJoinsTheContainersNamespacesAndPublishesOnlyTheGivenPorts() throws IOException {
        Path binary = pasta();
        Network network = Network.bridge()
                .publish(
                        new PortMapping(8080, 80, "tcp"),
                        new PortMapping(8081, 81, "tcp", "192.0.2.7"),
                        new PortMapping(5353, 53, "udp"));
        List<String> command = Pasta.of(network, USER, binary.getParent().toString(), tun("rw-rw-rw-"))
                .command(42, Path.of("/run/user/1001/isola/net/containers/abc"));
        assertEquals(
                List.of(
                        binary.toString(),
                        "--config-net",
                        "--quiet",
                        "--pid",
                        "/run/user/1001/isola/net/containers/abc/pasta.pid",
                        "-t",
                        "8080:80,192.0.2.7/8081:81", // pasta's ADDR/PORTS: bound to that address only
                        "-u",
                        "5353:53",
                        "-T",
                        "none",
                        "-U",
                        "none",
                        "--userns",
                        "/proc/42/ns/user",
                        "--netns",
                        "/proc/42/ns/net"),
                command);
        List<String> none = Pasta.of(
                        Network.parse("pasta"), USER, binary.getParent().toString(), tun("rw-rw-rw-"))
                .command(42, tmp);
        assertEquals(List.of("-t", "none", "-u", "none"), none.subList(5, 9));
    }

    @Test
    void aMissingPastaIsRefusedNamingThePackage() throws IOException {
        Path tun = tun("rw-rw-rw-");
        String path = Files.createDirectory(tmp.resolve("empty")) + ":" + tmp.resolve("missing");
        assertEquals(
                "--net bridge -p 8080:80/tcp: a rootless network (uid 1001) needs pasta, which is not installed"
                        + " (Debian package passt); install it, or use --net none (only lo) or --net host",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Pasta.of(
                                        Network.bridge().publish(new PortMapping(8080, 80, "tcp")), USER, path, tun))
                        .getMessage());
    }

    @Test
    void aMissingTunDeviceIsRefusedSayingWhatToDo() throws IOException {
        Path binary = pasta();
        assertEquals(
                "--net pasta: pasta needs to open " + tmp.resolve("none") + ", which uid 1001 may not (missing);"
                        + " distributions make it 0666 (Debian's udev rules do): as root, chmod 0666 "
                        + tmp.resolve("none")
                        + ", or use --net none (only lo) or --net host",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Pasta.of(
                                        Network.parse("pasta"),
                                        USER,
                                        binary.getParent().toString(),
                                        tmp.resolve("none")))
                        .getMessage());
    }
}
