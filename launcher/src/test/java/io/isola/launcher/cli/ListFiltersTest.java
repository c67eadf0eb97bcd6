package io.isola.launcher.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.launcher.volume.VolumeRecord;
import io.isola.spi.support.NetworkInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code network ls --filter} and {@code volume ls|prune --filter}, as Docker reads them. */
class ListFiltersTest {

    private static final NetworkInfo WEB = new NetworkInfo(
            "web",
            "0123456789ab",
            "",
            "10.9.0.0/24",
            "10.9.0.1",
            false,
            Map.of("team", "qa"),
            "br-web",
            "",
            false,
            Map.of());
    private static final VolumeRecord DATA = new VolumeRecord("data", "", Map.of("team", "qa", "tier", ""), null);

    private static boolean network(String... filters) {
        return NetworkFilter.parse(List.of(filters)).matches(WEB);
    }

    private static boolean volume(boolean used, String... filters) {
        return VolumeFilter.parse(List.of(filters)).matches(DATA, () -> used);
    }

    @Test
    void oneKeyRepeatedMatchesAnyOfItsValuesAndDifferentKeysMustAllMatch() {
        assertTrue(network());
        assertTrue(network("name=we", "name=other"));
        assertFalse(network("name=other"));
        assertTrue(network("name=web", "id=0123"));
        assertFalse(network("name=web", "id=4567"));
        assertTrue(network("driver=bridge"));
        assertFalse(network("driver=macvlan"));
        assertTrue(network("label=team", "label=team=qa"));
        assertFalse(network("label=team=dev"));
        assertFalse(network("label=owner"));

        assertTrue(volume(false));
        assertTrue(volume(false, "name=at", "name=other"));
        assertFalse(volume(false, "name=other"));
        assertTrue(volume(false, "label=tier", "label=team=qa"));
        assertFalse(volume(false, "label=team=dev"));
        assertTrue(volume(false, "dangling=true"));
        assertFalse(volume(true, "dangling=1"));
        assertTrue(volume(true, "dangling=false", "name=data"));
        assertTrue(volume(false, "driver=local"));
        assertFalse(volume(false, "driver=nfs"));
    }

    @Test
    void anUnknownKeyOrValueIsRefusedNamingWhatIsAllowed() {
        assertEquals(
                "filter \"dangling\": expected name=TEXT, id=PREFIX, label=KEY[=VALUE] or driver=bridge",
                assertThrows(IllegalArgumentException.class, () -> network("dangling"))
                        .getMessage());
        assertEquals(
                "filter \"id=1\": expected dangling=true|false, name=TEXT, label=KEY[=VALUE] or driver=local",
                assertThrows(IllegalArgumentException.class, () -> volume(false, "id=1"))
                        .getMessage());
        assertEquals(
                "filter \"dangling=maybe\": expected dangling=true or dangling=false",
                assertThrows(IllegalArgumentException.class, () -> volume(false, "dangling=maybe"))
                        .getMessage());
    }
}
