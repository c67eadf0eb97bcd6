package io.isola.ns.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The configuration's values are checked as text: a value that is no number is named, never defaulted. */
class UserSettingsTest {

    @Test
    void theDefaultsAndGoodValuesPass() {
        assertEquals(new MapPlanner.Defaults("isola", 0, 0, 65536), UserSettings.of("isola", "0", "0", "65536"));
        assertEquals(
                new MapPlanner.Defaults("1001", 3000000, 0, 70000),
                UserSettings.of(" 1001 ", "3000000", "0", " 70000"));
    }

    @Test
    void badValuesNameTheKeyAndWhatIsAllowed() {
        assertEquals(
                "rangeSize \"lots\": expected a number of ids from 1 to 4294967295",
                assertThrows(IllegalArgumentException.class, () -> UserSettings.of("isola", "0", "0", "lots"))
                        .getMessage());
        assertEquals(
                "rangeSize \"0\": expected a number of ids from 1 to 4294967295",
                assertThrows(IllegalArgumentException.class, () -> UserSettings.of("isola", "0", "0", "0"))
                        .getMessage());
        assertEquals(
                "hostUidBase \"-5\": expected 0 (take it from /etc/subuid) or a host id from 1 to 4294901759 "
                        + "(rangeSize 65536 ids must fit)",
                assertThrows(IllegalArgumentException.class, () -> UserSettings.of("isola", "-5", "0", "65536"))
                        .getMessage());
        assertEquals(
                "hostGidBase \"4294967294\": expected 0 (take it from /etc/subgid, or the uid base) or a host id "
                        + "from 1 to 4294901759 (rangeSize 65536 ids must fit)",
                assertThrows(IllegalArgumentException.class, () -> UserSettings.of("isola", "0", "4294967294", "65536"))
                        .getMessage());
        assertEquals(
                "subidUser \"two words\": expected a user name of /etc/subuid (1 to 32 letters, digits, '_', '.', '-')",
                assertThrows(IllegalArgumentException.class, () -> UserSettings.of("two words", "0", "0", "65536"))
                        .getMessage());
    }
}
