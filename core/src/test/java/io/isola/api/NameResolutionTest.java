package io.isola.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Names, hosts and resolver values are checked before they reach a container's, or its peers', files. */
class NameResolutionTest {

    private static NameResolution names(String... names) {
        return new NameResolution(List.of(names), List.of(), List.of(), List.of(), List.of());
    }

    @Test
    void addHostTakesDockersFormsAndTheGateway() {
        assertEquals(new NameResolution.HostEntry("db", "192.0.2.7"), NameResolution.HostEntry.parse("db:192.0.2.7"));
        assertEquals(new NameResolution.HostEntry("db", "192.0.2.7"), NameResolution.HostEntry.parse("db=192.0.2.7"));
        assertEquals(new NameResolution.HostEntry("six", "fd00::2"), NameResolution.HostEntry.parse("six:fd00::2"));
        assertEquals(new NameResolution.HostEntry("six", "fd00::2"), NameResolution.HostEntry.parse("six:[fd00::2]"));
        assertEquals(
                "host-gateway",
                NameResolution.HostEntry.parse("gw:host-gateway").address());
    }

    @Test
    void aValueThatWouldAddLinesOrLookUpANameIsRefusedNamingIt() {
        for (String bad : List.of(
                "db:1.2.3.4 bank",
                "db:1.2.3.4\n5.6.7.8 bank",
                "my db:1.2.3.4",
                "db:",
                ":1.2.3.4",
                "db:256.1.1.1",
                "db:example.com",
                "db:.:1")) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> NameResolution.HostEntry.parse(bad), bad);
            assertEquals(true, e.getMessage().startsWith("--add-host"), e.getMessage());
        }
        for (String bad : List.of("www bank", "a/b", "-x", "", "a\nb", "x".repeat(254))) {
            assertThrows(IllegalArgumentException.class, () -> names(bad), bad);
        }
        assertEquals(
                "--dns \"dns.example\": expected an IP address such as 10.0.0.2 or fd00::2",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> new NameResolution(
                                        List.of(), List.of(), List.of("dns.example"), List.of(), List.of()))
                        .getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> new NameResolution(List.of(), List.of(), List.of(), List.of("a b"), List.of()));
        assertThrows(
                IllegalArgumentException.class,
                () -> new NameResolution(List.of(), List.of(), List.of(), List.of(), List.of("nd ots")));
    }

    @Test
    void dockersNamesPass() {
        assertEquals(
                List.of("web-1", "www.example", "db_2"),
                names("web-1", "www.example", "db_2").names());
        assertEquals(
                List.of("::1", "10.0.0.2"),
                new NameResolution(
                                List.of(),
                                List.of(),
                                List.of("::1", "10.0.0.2"),
                                List.of("example.test"),
                                List.of("ndots:2"))
                        .dnsServers());
    }
}
