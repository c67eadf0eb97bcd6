package io.isola.internal.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.api.Network;
import io.isola.testing.TestRuntimes;
import org.junit.jupiter.api.Test;

/**
 * A spec that asks for a network of its own on a runtime that cannot give it one (no net
 * isolator) is refused before anything exists, instead of running on the host's network.
 */
class HostNetworkTest {

    @Test
    void aNetworkOtherThanTheHostsNeedsANetworkNamespace() throws Exception {
        try (Isola isola = TestRuntimes.full()) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> isola.start(
                            ContainerSpec.builder("true").with(Network.none()).build()));
            assertEquals(
                    "network \"none\": needs a network namespace, which this container does not have (no net"
                            + " isolator); expected the net isolator, or Network.host() to share the host's",
                    e.getMessage());
            assertEquals(
                    0,
                    isola.run(ContainerSpec.builder("true").with(Network.host()).build())
                            .exitCode(),
                    "the host's network is what it asks for");
        }
    }
}
