package io.isola.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.testing.TestRuntimes;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A start whose child program is larger than any before it (a program's size depends on its
 * arguments and on which fd numbers its pipes got) grows the cloning thread's arena: that memory
 * lives with the thread and is not something the start left behind.
 */
class LargerProgramTest {

    @Test
    void aLargerProgramThanTheLastLeavesNothingBehind() throws Exception {
        try (Isola isola = TestRuntimes.full()) {
            assertEquals(0, isola.run(ContainerSpec.builder("true").build()).exitCode());
            Leftovers before = Leftovers.now();
            String large = "x".repeat(100 * 1024); // three of them: one string may not exceed 128 KiB
            assertEquals(
                    0,
                    isola.run(ContainerSpec.builder("sh", "-c", "test ${#A}${#B}${#C} = 102400102400102400")
                                    .env("A", large)
                                    .env("B", large)
                                    .env("C", large)
                                    .build())
                            .exitCode());
            assertEquals(List.of(), Leftovers.now().since(before));
        }
    }
}
