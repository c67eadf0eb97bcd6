package io.isola.ns.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.api.Network;
import io.isola.testing.Outcome;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** --net none and bridge against the real kernel and the real CNI plugins. */
class NetModesTest {

    static TestNetworks nets;
    static Isola isola;

    @BeforeAll
    static void setUp() throws Exception {
        nets = new TestNetworks("modes");
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

    private static Outcome sh(Network network, String script) throws Exception {
        return Outcome.of(isola, ContainerSpec.builder("sh", "-c", script).with(network).build());
    }

    @Test
    void noneHasOnlyLoopbackUpAndPingsIt() throws Exception {
        Outcome outcome = sh(Network.none(), "ip -o link show; busybox ping -c 1 -W 2 127.0.0.1 >/dev/null && echo pong");

        assertEquals(0, outcome.status().exitCode(), outcome.err());
        List<String> lines = outcome.out().lines().toList();
        assertEquals(2, lines.size(), outcome.out());
        assertTrue(lines.get(0).startsWith("1: lo: <LOOPBACK,UP,LOWER_UP>"), lines.get(0));
        assertEquals("pong", lines.get(1));
    }

    @Test
    void bridgeGivesAnAddressFromTheSubnet() throws Exception {
        Outcome outcome = sh(Network.bridge(), "ip -o -4 addr show dev eth0; cat /etc/hosts /etc/hostname");
        assertEquals(0, outcome.status().exitCode(), outcome.err());
        System.out.println(outcome.out());
    }
}
