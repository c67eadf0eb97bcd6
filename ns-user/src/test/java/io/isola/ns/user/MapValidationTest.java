package io.isola.ns.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.isola.api.IdMapping;
import io.isola.api.ProcessUser;
import io.isola.api.UserNamespace;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The spec extensions check themselves, naming the range or value. */
class MapValidationTest {

    private static String refusal(List<String> uidMaps, List<String> gidMaps) {
        return assertThrows(IllegalArgumentException.class, () -> UserNamespace.parse(uidMaps, gidMaps))
                .getMessage();
    }

    @Test
    void badMapsAreRefusedNamingTheRange() {
        assertEquals(
                "uid map \"0:100000:0\": the length must be at least 1", refusal(List.of("0:100000:0"), List.of()));
        assertEquals(
                "uid map \"10:200000:5\": its container ids overlap those of \"0:100000:11\"; ranges may not overlap",
                refusal(List.of("0:100000:11", "10:200000:5"), List.of()));
        assertEquals(
                "gid map \"100:100005:5\": its host ids overlap those of \"0:100000:10\"; ranges may not overlap",
                refusal(List.of("0:100000:65536"), List.of("0:100000:10", "100:100005:5")));
        assertEquals(
                "uid map \"0:1:2:3\": expected CTR:HOST:LEN, three numbers", refusal(List.of("0:1:2:3"), List.of()));
        assertEquals(
                "uid map \"0:-1:5\": expected CTR:HOST:LEN, three numbers from 0 to 4294967294",
                refusal(List.of("0:-1:5"), List.of()));
        assertEquals(
                "uid map \"0:4294967290:10\": the range must lie within ids 0 to 4294967294",
                refusal(List.of("0:4294967290:10"), List.of()));
        assertEquals(
                "gid map \"0:1:1\": a gid map needs a uid map too (give --uidmap as well)",
                refusal(List.of(), List.of("0:1:1")));
    }

    @Test
    void adjacentRangesAreFine() {
        UserNamespace ns = UserNamespace.parse(List.of("0:1000:1", "1:100000:65536"), List.of());
        assertEquals(List.of(new IdMapping(0, 1000, 1), new IdMapping(1, 100000, 65536)), ns.gidMappings());
    }

    @Test
    void theProcessUserIsParsedAsDockerDoes() {
        assertEquals(new ProcessUser(1000, 0, List.of()), ProcessUser.parse("1000"));
        assertEquals(new ProcessUser(1000, 1001, List.of()), ProcessUser.parse("1000:1001"));
        for (String bad : List.of("", "alice", "1000:", ":5", "1:2:3", "-1", "4294967295")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProcessUser.parse(bad));
            assertEquals(true, e.getMessage().startsWith("--user \"" + bad + "\""), e.getMessage());
        }
    }
}
