package io.isola.ns.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.security.auth.module.UnixSystem;
import io.isola.ns.net.cni.CniException;
import io.isola.ns.net.cni.NetworkConfigList;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default network's configuration is written again where it is missing (a new /etc/isola, a
 * user who removed it) while its bridge lives on from before with its address: the new one takes
 * the bridge's subnet, or every container on it would fail ("isola0 already has an IP address
 * different from ...", as a suite with a fresh /etc/isola did on a host that had run isola before).
 */
class DefaultSubnetTest {

    private static final String NETWORK = "isos" + ProcessHandle.current().pid() % 100000;
    private static final String BRIDGE = NetworkConfigs.bridgeName(NETWORK);

    @TempDir
    Path tmp;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(new UnixSystem().getUid() == 0, "needs root");
        HostNet.run("ip", "link", "add", BRIDGE, "type", "bridge");
        // 10.77 is the first candidate: a bridge left on 10.98 shows its subnet is the one taken
        HostNet.run("ip", "addr", "add", "10.98.0.1/16", "dev", BRIDGE);
        HostNet.run(
                "ip", "link", "set", BRIDGE, "up"); // as the bridge plugin leaves it: its route stays when it goes down
    }

    @AfterEach
    void tearDown() throws Exception {
        HostNet.run("ip", "link", "del", BRIDGE);
    }

    @Test
    void aMissingConfigurationTakesTheSubnetItsBridgeStillHas() throws Exception {
        NetworkConfigs configs = new NetworkConfigs(tmp.resolve("net.d"), NETWORK, "", tmp.resolve("ipam"));

        configs.defaultNetwork();

        String written = Files.readString(tmp.resolve("net.d").resolve(NETWORK + ".conflist"));
        assertEquals(
                List.of(new Ipv4Net(10 << 24 | 98 << 16, 16)),
                Subnets.of(NetworkConfigList.read(tmp.resolve("net.d").resolve(NETWORK + ".conflist"))),
                written);
    }

    /** A bridge set down has lost its routes, not its address: the address still decides (routes alone picked 10.77). */
    @Test
    void aBridgeSetDownStillGivesItsSubnet() throws Exception {
        HostNet.run("ip", "link", "set", BRIDGE, "down");
        NetworkConfigs configs = new NetworkConfigs(tmp.resolve("net.d"), NETWORK, "", tmp.resolve("ipam"));

        configs.defaultNetwork();

        assertEquals(
                List.of(new Ipv4Net(10 << 24 | 98 << 16, 16)),
                Subnets.of(NetworkConfigList.read(tmp.resolve("net.d").resolve(NETWORK + ".conflist"))));
    }

    /** The bridge plugin's refusal of a bridge on another subnet says where the bridge is and both ways out. */
    @Test
    void theBridgePluginsRefusalSaysWhatToDo() throws Exception {
        NetworkConfigs configs = new NetworkConfigs(tmp.resolve("net.d"), NETWORK, "10.97.0.0/16", tmp.resolve("ipam"));
        NetworkConfigList list = configs.defaultNetwork();
        CniException refused = new CniException(
                "failed to set bridge addr: \"" + BRIDGE + "\" already has an IP address different from 10.97.0.1/16",
                999,
                null);

        String message = BridgeAddressClash.explain(refused, list).getMessage();

        assertEquals(
                refused.getMessage() + "; the bridge " + BRIDGE + " is on 10.98.0.0/16 from before: set that subnet in "
                        + list.source() + ", or remove the bridge (ip link delete " + BRIDGE
                        + ") once no container uses it",
                message);
    }
}
