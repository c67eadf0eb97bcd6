package io.isola.ns.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.isola.api.NameResolution;
import java.util.List;
import org.junit.jupiter.api.Test;

/** --dns, --dns-search and --dns-option replace the lines of their kind, as Docker's; the rest stays. */
class ResolvConfTest {

    private static final String HOST =
            "# from the host\nnameserver 192.0.2.1\nnameserver 192.0.2.2\nsearch lan\noptions edns0\n";

    @Test
    void eachAskedKindReplacesItsLinesOnly() {
        assertEquals(
                "# from the host\nnameserver 192.0.2.53\nsearch lan\noptions edns0\n",
                ResolvConf.merge(
                        HOST, new NameResolution(List.of(), List.of(), List.of("192.0.2.53"), List.of(), List.of())));
        assertEquals(
                "# from the host\nnameserver 192.0.2.1\nnameserver 192.0.2.2\nsearch a.test b.test\noptions ndots:2 rotate\n",
                ResolvConf.merge(
                        HOST,
                        new NameResolution(
                                List.of(),
                                List.of(),
                                List.of(),
                                List.of("a.test", "b.test"),
                                List.of("ndots:2", "rotate"))));
    }

    @Test
    void nothingAskedKeepsTheBaseAsItIs() {
        assertEquals(HOST, ResolvConf.merge(HOST, ResolvConf.NOTHING_ASKED));
    }
}
