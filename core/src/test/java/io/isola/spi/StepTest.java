package io.isola.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A step names a call of the closed set, with as many arguments as that call takes. */
class StepTest {

    @Test
    void aStepWithTheWrongNumberOfArgumentsIsRefusedNamingIt() {
        assertEquals(
                "step 'mount proc' calls mount with 2 arguments: it takes 5",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Step.call("mount proc", LibcCall.MOUNT, Arg.text("proc"), Arg.text("/proc")))
                        .getMessage());
        assertEquals(
                "step 'too many' calls syscall with 7 arguments: it takes 1 to 6",
                assertThrows(IllegalArgumentException.class, () -> Step.call("too many", LibcCall.SYSCALL, words(7)))
                        .getMessage());
        assertEquals(5, Step.call("keep caps", LibcCall.PRCTL, words(5)).args().size());
    }

    @Test
    void aSymbolOutsideTheSetIsRefusedWithTheAllowedOnes() {
        assertEquals(LibcCall.UMOUNT2, LibcCall.ofSymbol("umount2"));
        String message = assertThrows(IllegalArgumentException.class, () -> LibcCall.ofSymbol("malloc"))
                .getMessage();
        assertTrue(message.startsWith("malloc: expected one of capset, chdir, "), message);
    }

    private static Arg[] words(int count) {
        Arg[] args = new Arg[count];
        Arrays.fill(args, Arg.word(0));
        return args;
    }
}
