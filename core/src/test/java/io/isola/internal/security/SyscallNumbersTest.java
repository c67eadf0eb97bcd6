package io.isola.internal.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.internal.nativ.SyscallNumbers;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Locale;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class SyscallNumbersTest {

    /**
     * The numbers written by hand in {@link SyscallNumbers} are the ones libseccomp's tables
     * (generated from the kernel's) give this architecture: one source of the facts, checked.
     */
    @Test
    void theHandWrittenNumbersAreLibseccompsOwn() throws IllegalAccessException {
        int checked = 0;
        for (Field field : SyscallNumbers.class.getFields()) {
            if (!Modifier.isStatic(field.getModifiers()) || field.getType() != long.class) {
                continue;
            }
            String name = field.getName().toLowerCase(Locale.ROOT);
            OptionalInt libseccomp = SeccompLibrary.number(name);
            assertTrue(libseccomp.isPresent(), "libseccomp knows no system call " + name);
            assertEquals(libseccomp.getAsInt(), field.getLong(null), name);
            checked++;
        }
        assertTrue(checked >= 15, "only " + checked + " numbers found");
    }
}
