package io.isola.launcher.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code logs --tail N}: where the last N lines of a log start. */
class LogsTailTest {

    @TempDir
    Path tmp;

    private String tail(String content, long lines) throws Exception {
        Path log = Files.writeString(tmp.resolve("log"), content);
        return content.substring((int) LogsCommand.startOfLastLines(log, lines));
    }

    @Test
    void theLastLinesWithOrWithoutAFinalNewline() throws Exception {
        assertEquals("b\nc\n", tail("a\nb\nc\n", 2));
        assertEquals("c", tail("a\nb\nc", 1));
        assertEquals("a\nb\nc\n", tail("a\nb\nc\n", 3));
        assertEquals("a\nb\nc\n", tail("a\nb\nc\n", 10));
        assertEquals("", tail("a\nb\nc\n", 0));
        assertEquals("", tail("", 5));
        assertEquals("\n\n", tail("x\n\n\n", 2)); // empty lines count
    }

    @Test
    void linesAcrossTheBlocksOfALongLog() throws Exception {
        StringBuilder log = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            log.append("line ").append(i).append('\n');
        }
        assertEquals("line 4997\nline 4998\nline 4999\n", tail(log.toString(), 3));
        String last2000 = tail(log.toString(), 2000);
        assertEquals(2000, last2000.lines().count());
        assertEquals(true, last2000.startsWith("line 3000\n"));
    }

    @Test
    void tailTakesACountOrAll() {
        assertEquals(-1, LogsCommand.tailLines("all"));
        assertEquals(7, LogsCommand.tailLines("7"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LogsCommand.tailLines("-1"));
        assertEquals("--tail \"-1\": expected a number of lines (0 or more) or all", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LogsCommand.tailLines("ten"));
    }

    @Test
    void aLogNotWrittenYetHasNothingToSkip() throws Exception {
        assertEquals(0, LogsCommand.startOfLastLines(tmp.resolve("none"), 3));
    }
}
