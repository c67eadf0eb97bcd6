package io.isola.launcher.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.isola.api.PortMapping;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** --expose and an image's ExposedPorts, and -P's choice of host ports. */
class ExposedPortTest {

    @Test
    void portsRangesAndProtocolsParse() {
        assertEquals(List.of(new ExposedPort(80, "tcp")), ExposedPort.parse("80", "--expose"));
        assertEquals(List.of(new ExposedPort(53, "udp")), ExposedPort.parse("53/udp", "--expose"));
        assertEquals(
                List.of(new ExposedPort(8000, "tcp"), new ExposedPort(8001, "tcp")),
                ExposedPort.parse("8000-8001/tcp", "--expose"));
    }

    @Test
    void aBadPortIsRefusedNamingItsSource() {
        for (String bad : List.of("eighty", "0", "65536", "90-80", "1-2000", "80/sctp", "")) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> ExposedPort.parse(bad, "--expose"), bad);
            assertEquals(true, e.getMessage().startsWith("--expose \"" + bad + "\": expected PORT"), e.getMessage());
        }
    }

    @Test
    void publishAllLeavesWhatPIsGivenAndPicksDistinctHostPorts() {
        List<PortMapping> chosen = ExposedPort.publishAll(
                List.of(new ExposedPort(80, "tcp"), new ExposedPort(81, "tcp"), new ExposedPort(53, "udp")),
                List.of(new PortMapping(8080, 80, "tcp")));
        assertEquals(
                List.of(81, 53), chosen.stream().map(PortMapping::containerPort).toList());
        assertNotEquals(chosen.get(0).hostPort(), 8080);
        assertEquals("udp", chosen.get(1).protocol());
    }

    @Test
    void publishAllNeverTakesAPortAnotherContainerPublishes() {
        Set<Integer> everyPort = new HashSet<>();
        for (int port = 1; port <= 65535; port++) {
            everyPort.add(port);
        }
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ExposedPort.publishAll(List.of(new ExposedPort(80, "tcp")), List.of(), everyPort));
        assertEquals(
                "-P: no free host port for 80/tcp that no other container publishes, after 100 tries; publish it with"
                        + " -p HOSTPORT:80",
                e.getMessage());
    }
}
