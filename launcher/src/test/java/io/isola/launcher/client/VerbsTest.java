package io.isola.launcher.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VerbsTest {

    @Test
    void theVerbIsTheFirstWordAfterTheGlobalOptions() {
        assertEquals("state", Verbs.verb(new String[] {"--root", "/run/x", "--log", "l.json", "--log-format", "json",
                "--systemd-cgroup", "state", "id"}));
        assertNull(Verbs.verb(new String[] {"--version"}));
        assertNull(Verbs.verb(new String[] {"-h", "run"}));
    }

    @Test
    void anEnginesVerbsAfterCreateAreServedButCreateIsNot() {
        for (String verb : new String[] {"start", "state", "delete", "kill"}) {
            assertTrue(Verbs.served(new String[] {"--root", "/run/x", verb, "id"}), verb);
        }
        assertFalse(Verbs.served(new String[] {"--root", "/run/x", "create", "--bundle", ".", "id"}));
        assertFalse(Verbs.served(new String[] {"exec", "id", "true"}));
        assertFalse(Verbs.served(new String[] {"--config", "/etc/isola", "state", "id"}), "a configuration of its own");
        assertEquals(java.util.Set.of("start", "state", "delete", "kill"), Verbs.ENGINE);
    }
}
