package io.isola.ns.net;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.Network;
import io.isola.api.PortMapping;
import io.isola.spi.LibcCall;
import io.isola.spi.support.HostIdentity;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What a user other than root may ask of the network isolator, and the checks of its configuration; nothing is started. */
class RootlessAndSettingsTest {

    private static final HostIdentity USER = new HostIdentity(1001, 1001);
    private static final HostIdentity ROOT = new HostIdentity(0, 0);

    @Test
    void networksThatNeedRootAreRefusedInOneSentenceNamingTheAlternatives() {
        assertEquals(
                "--net mynet: network \"mynet\" needs root (CNI creates links and firewall rules on the host);"
                        + " as uid 1001 use --net pasta (or bridge, or -p: pasta), --net none (only lo) or --net host",
                refusal(Network.parse("mynet")));
        assertEquals(
                "--net mynet -p 8080:80/tcp: network \"mynet\" and published ports need root (CNI creates links and"
                        + " firewall rules on the host); as uid 1001 use --net pasta (or bridge, or -p: pasta), --net none (only lo)"
                        + " or --net host",
                refusal(Network.parse("mynet").publish(new PortMapping(8080, 80, "tcp"))));
        assertEquals(
                "--net slirp4netns: isola gives rootless containers their network with pasta (Debian package passt),"
                        + " as podman 5 does; use --net pasta (or --net bridge, or -p, which mean pasta for uid 1001)",
                refusal(Network.parse("slirp4netns")));
    }

    @Test
    void rootIsToldThatPastaIsARootlessNetwork() {
        assertEquals(
                "; pasta is the network of containers run by a user other than root: as root use --net bridge",
                Rootless.rootlessOnly(Network.parse("pasta")));
        assertEquals("", Rootless.rootlessOnly(Network.parse("mynet")));
    }

    @Test
    void noneHostAndJoiningPassAndRootMayDoAnything() {
        for (String mode : new String[] {"none", "host", "container:abc", "bridge", "pasta"}) {
            assertDoesNotThrow(() -> Rootless.check(Network.parse(mode), USER));
        }
        assertDoesNotThrow(() -> Rootless.check(Network.bridge(), ROOT));
    }

    @Test
    void aUserGetsARuntimeDirectoryOfTheirOwnUnlessOneIsConfigured() {
        assertEquals(Rootless.SHARED_RUNTIME_DIR, Rootless.runtimeDir(Rootless.SHARED_RUNTIME_DIR, ROOT));
        assertEquals(Path.of("/srv/net"), Rootless.runtimeDir(Path.of("/srv/net"), USER));
        Path own = Rootless.runtimeDir(Rootless.SHARED_RUNTIME_DIR, USER);
        assertTrue(own.endsWith(Path.of("isola", "net")) || own.endsWith(Path.of("isola-1001", "net")), own::toString);
    }

    @Test
    void loopbackStepsBringLoUpThroughEveryCandidateDescriptor() {
        var steps = Rootless.loopbackUp();
        assertEquals(1 + Rootless.SCANNED_FDS, steps.size());
        assertEquals(LibcCall.SOCKET, steps.get(0).call());
        assertEquals(LibcCall.IOCTL, steps.get(1).call());
    }

    @Test
    void everyKeyOfTheConfigurationIsCheckedWithWhatItAllows() {
        assertEquals(
                "network \"-x\": expected 1 to 128 letters, digits, '_', '.' or '-', starting with a letter or digit",
                bad("-x", "bridge", "", "/etc/isola/net.d", "/run/isola/net", ""));
        assertEquals(
                "mode \"container:a\": expected none, host, bridge or the name of a network",
                bad("isola", "container:a", "", "/etc/isola/net.d", "/run/isola/net", ""));
        assertEquals(
                "cniPath \"lib/cni\": expected absolute directories separated by ':' (or empty for the default)",
                bad("isola", "bridge", "lib/cni", "/etc/isola/net.d", "/run/isola/net", ""));
        assertEquals(
                "configDir \"net.d\": expected an absolute directory",
                bad("isola", "bridge", "", "net.d", "/run/isola/net", ""));
        assertEquals(
                "runtimeDir \"run\": expected an absolute directory",
                bad("isola", "bridge", "", "/etc/isola/net.d", "run", ""));
        assertEquals(
                "subnet \"10.0.0.0/40\": expected an IPv4 network such as 10.77.0.0/16, or empty to pick a free one",
                bad("isola", "bridge", "", "/etc/isola/net.d", "/run/isola/net", "10.0.0.0/40"));
        // the defaults: a network namespace of its own with only lo, unless a container asks for another network
        assertEquals(
                NetIsolator.Settings.DEFAULTS,
                SettingsCheck.check(
                        "isola", "none", "/usr/lib/cni:/opt/cni/bin", "/etc/isola/net.d", "/run/isola/net", ""));
    }

    private static String refusal(Network network) {
        return assertThrows(IllegalArgumentException.class, () -> Rootless.check(network, USER))
                .getMessage();
    }

    private static String bad(
            String network, String mode, String cniPath, String configDir, String runtimeDir, String subnet) {
        return assertThrows(
                        IllegalArgumentException.class,
                        () -> SettingsCheck.check(network, mode, cniPath, configDir, runtimeDir, subnet))
                .getMessage();
    }
}
