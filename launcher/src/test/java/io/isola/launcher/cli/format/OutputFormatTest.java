package io.isola.launcher.cli.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** --format's two words, a closed set; anything else is a template where a verb takes one. */
class OutputFormatTest {

    @Test
    void theTwoWordsAreTheirConstants() {
        assertEquals(OutputFormat.TABLE, OutputFormat.parse("table"));
        assertEquals(OutputFormat.JSON, OutputFormat.parse("json"));
    }

    @Test
    void aVerbWithoutTemplatesRefusesAnyOtherWordNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OutputFormat.parse("yaml"));
        assertEquals("format \"yaml\": expected table or json", e.getMessage());
    }

    @Test
    void aTemplateIsNoneOfTheWords() {
        assertEquals(Optional.empty(), OutputFormat.named("table {{.ID}}"));
        assertEquals(Optional.empty(), OutputFormat.named("{{json .}}"));
        assertEquals(Optional.of(OutputFormat.JSON), OutputFormat.named("json"));
    }
}
