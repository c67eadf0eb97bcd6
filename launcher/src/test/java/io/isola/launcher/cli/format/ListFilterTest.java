package io.isola.launcher.cli.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Docker's --filter: a key repeated matches any of its values, different keys all. */
class ListFilterTest {

    private static ListFilter parse(String... filters) {
        return ListFilter.parse(List.of(filters), Set.of("name", "label"), "name=TEXT or label=KEY[=VALUE]");
    }

    @Test
    void aKeyRepeatedMatchesAnyValueAndLabelsMustAllBeThere() {
        ListFilter filter = parse("name=a", "name=b", "label=x", "label=y=1");
        assertEquals(List.of("a", "b"), filter.values("name"));
        assertTrue(filter.any("name", "b"::equals));
        assertFalse(filter.any("name", "c"::equals));
        assertTrue(parse().any("name", "c"::equals), "a key not given passes");
        assertTrue(filter.labels(Map.of("x", "", "y", "1")));
        assertFalse(filter.labels(Map.of("x", "", "y", "2")));
        assertFalse(filter.labels(null));
        assertTrue(parse().labels(null));
    }

    @Test
    void anUnknownKeyIsRefusedWithTheAllowedForms() {
        assertEquals(
                "filter \"id=1\": expected name=TEXT or label=KEY[=VALUE]",
                assertThrows(IllegalArgumentException.class, () -> parse("id=1"))
                        .getMessage());
    }
}
