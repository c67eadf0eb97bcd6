package io.isola.internal.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.SeccompProfile;
import io.isola.api.SeccompProfile.Action;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The default profile is data, in Docker's format. */
class DefaultSeccompProfileTest {

    @Test
    void theDefaultProfileShipsAsDockerJson() throws Exception {
        String json;
        try (InputStream in = DefaultSeccompProfile.class.getResourceAsStream(DefaultSeccompProfile.RESOURCE)) {
            assertNotNull(in, "resource " + DefaultSeccompProfile.RESOURCE);
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        SeccompProfile parsed = SeccompProfile.parse("isola's default profile", json);
        assertEquals(parsed, DefaultSeccompProfile.get());
        assertEquals(Action.ERRNO, parsed.defaultAction());
        assertEquals(SeccompProfile.EPERM, parsed.defaultErrno());
        for (String uring : List.of("io_uring_setup", "io_uring_enter", "io_uring_register")) {
            assertTrue(
                    parsed.rules().stream().noneMatch(rule -> rule.names().contains(uring)),
                    uring + " is denied, as in Docker 25+");
        }
    }
}
