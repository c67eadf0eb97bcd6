package io.isola.ns.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.api.Network;
import io.isola.api.PortMapping;
import io.isola.testing.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a user can get wrong is rejected before anything exists, with the file or plugin named. */
class NetErrorsTest {

    static TestNetworks nets;
    static Isola isola;

    @BeforeAll
    static void setUp() throws Exception {
        nets = new TestNetworks("errors");
        isola = nets.runtime(nets.isolator());
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (isola != null) {
            isola.close();
        }
        if (nets != null) {
            nets.destroy();
        }
    }

    private static String rejected(Network network) throws Exception {
        HostNet.Snapshot before = nets.snapshot();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> isola.start(ContainerSpec.builder("true").with(network).build()));
        assertEquals(before, nets.snapshot(), "the failed start left something behind");
        assertEquals(List.of(), new AttachmentStore(nets.runtimeDir).dirs(), "the failed start left its state behind");
        return e.getMessage();
    }

    private static Path conflist(String name, String content) throws Exception {
        return Files.writeString(nets.configDir.resolve(name + ".conflist"), content);
    }

    @Test
    void aMissingPluginIsNamed() throws Exception {
        Path file = conflist(
                "isotest-missing",
                "{\"cniVersion\":\"1.0.0\",\"name\":\"isotest-missing\",\"plugins\":"
                        + "[{\"type\":\"loopback\"},{\"type\":\"isola-no-such-plugin\"}]}");
        String message = rejected(Network.parse("isotest-missing"));
        assertTrue(
                message.contains("\"isola-no-such-plugin\" not found in /usr/lib/cni")
                        && message.contains(file.toString()),
                message);
    }

    @Test
    void aMalformedConflistIsNamedWithTheLine() throws Exception {
        Path file = conflist(
                "isotest-broken",
                "{\"cniVersion\":\"1.0.0\",\n\"name\":\"isotest-broken\",\n\"plugins\": [ {\"type\" \"bridge\"} ]}");
        String message = rejected(Network.parse("isotest-broken"));
        assertTrue(message.startsWith("network configuration " + file + ": malformed JSON at line 3"), message);
    }

    @Test
    void aSubnetClashingWithAHostRouteIsNamed() throws Exception {
        Ipv4Net.Route route = Ipv4Net.hostRoutes().stream().findFirst().orElse(null);
        assumeTrue(route != null, "the host has no route but the default one to clash with");
        Path file = conflist(
                "isotest-clash",
                "{\"cniVersion\":\"1.0.0\",\"name\":\"isotest-clash\",\"plugins\":[{\"type\":\"bridge\","
                        + "\"bridge\":\"isotest1\",\"ipam\":{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":\""
                        + route.destination() + "\"}]]}}]}");
        String message = rejected(Network.parse("isotest-clash"));
        assertTrue(
                message.contains(file.toString())
                        && message.contains("subnet " + route.destination() + " clashes with the host's route"),
                message);
    }

    @Test
    void anUnknownNetworkAndADeadContainerAreNamed() throws Exception {
        assertTrue(rejected(Network.parse("isotest-nowhere"))
                .startsWith("network \"isotest-nowhere\": no configuration in " + nets.configDir));
        assertTrue(rejected(Network.parse("container:isotest-gone"))
                .startsWith("--net container:isotest-gone: no running container"));
    }

    @Test
    void portsNeedAPortmapPlugin() throws Exception {
        conflist(
                "isotest-noports",
                "{\"cniVersion\":\"1.0.0\",\"name\":\"isotest-noports\",\"plugins\":[{\"type\":\"loopback\"}]}");
        String message = rejected(Network.parse("isotest-noports").publish(new PortMapping(18080, 80, "tcp")));
        assertTrue(message.contains("no plugin of the network has the portMappings capability"), message);
    }

    @Test
    void aPluginFailingAtAddIsNamedAndWhatTheChainMadeIsUndone() throws Exception {
        // bridge succeeds (veth, lease, masquerade rules), then tuning fails on an unknown sysctl: the
        // runtime must DEL the whole chain so that the bridge plugin's work is undone too
        Path file = conflist(
                "isotest-failing",
                "{\"cniVersion\":\"1.0.0\",\"name\":\"isotest-failing\",\"plugins\":[{\"type\":\"bridge\","
                        + "\"bridge\":\"" + TestNetworks.BRIDGE
                        + "\",\"isGateway\":true,\"ipMasq\":true,\"ipam\":{\"type\":\"host-local\","
                        + "\"dataDir\":\"" + nets.root.resolve("ipam") + "\",\"ranges\":[[{\"subnet\":\"" + nets.subnet
                        + "\"}]]}},"
                        + "{\"type\":\"tuning\",\"sysctl\":{\"net.ipv4.conf.eth0.isola_no_such_setting\":\"1\"}}]}");
        Outcome.of(
                isola, ContainerSpec.builder("true").with(Network.bridge()).build()); // the bridge exists from now on
        HostNet.Snapshot before = failingSnapshot();
        Exception e = assertThrows(
                Exception.class,
                () -> isola.start(ContainerSpec.builder("true")
                                .with(Network.parse("isotest-failing"))
                                .build())
                        .close());
        assertTrue(
                e.getMessage().contains("plugin \"tuning\"")
                        && e.getMessage().contains(file.toString())
                        && e.getMessage().contains("failed ADD"),
                e.getMessage());
        assertEquals(before, failingSnapshot());
        assertEquals(List.of(), new AttachmentStore(nets.runtimeDir).dirs());
    }

    private static HostNet.Snapshot failingSnapshot() throws Exception {
        return HostNet.Snapshot.take(
                "isotest-failing",
                TestNetworks.BRIDGE,
                nets.subnet.substring(0, nets.subnet.lastIndexOf('.') + 1),
                nets.root.resolve("ipam").resolve("isotest-failing"));
    }
}
