package io.isola.internal.chain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.internal.chain.ChildProgram.Checkpoint;
import io.isola.spi.Arg;
import io.isola.spi.LibcCall;
import io.isola.spi.Step;
import io.isola.testing.StepListing;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ProgramWireTest {

    /** Every kind of op and argument, sections at the start, in the middle and before the exec. */
    private static ChildProgram everyKind() {
        byte[] filter = new byte[300];
        Arrays.fill(filter, (byte) 7);
        return ChildProgram.builder()
                .section("identity")
                .call(
                        "user",
                        Step.call(
                                "set the uid", LibcCall.SYSCALL, Arg.word(117), Arg.word(0), Arg.word(0), Arg.word(-1)))
                .op(new Checkpoint("user", "wait for the id maps", CompletableFuture.completedFuture(null)))
                .section("filesystem")
                .call(
                        "mount",
                        Step.call("make /work", LibcCall.MKDIR, Arg.text("/wörk"), Arg.word(0755))
                                .tolerating("EEXIST", "EROFS"))
                .call(
                        "core",
                        Step.call(
                                "seccomp",
                                LibcCall.PRCTL,
                                Arg.word(22),
                                Arg.word(2),
                                new Arg.Linked(new byte[16], 8, filter),
                                Arg.NULL))
                .call(
                        "core",
                        Step.call(
                                "caps",
                                LibcCall.CAPSET,
                                new Arg.Bytes(new byte[] {1, 2, 3}),
                                new Arg.TextArray(List.of("a", ""))))
                .checkpoint("mount", "before pivot_root")
                .spawn("pid", "spawn into the joined PID namespace")
                .section("process")
                .gate()
                .exec(
                        List.of("/bin/sh", "/usr/bin/sh"),
                        List.of("sh", "-c", "echo é"),
                        List.of("PATH=/bin", "X=" + "y".repeat(70_000)));
    }

    @Test
    void aProgramComesBackStepForStep() {
        ChildProgram program = everyKind();
        byte[] wire = ProgramWire.encode(program);

        ChildProgram decoded = ProgramWire.decode(wire);

        assertEquals(StepListing.of(program), StepListing.of(decoded));
        assertEquals(program.sections(), decoded.sections());
        assertArrayEquals(wire, ProgramWire.encode(decoded), "every byte of every argument, also the long ones");
        assertEquals(program.recordCount(), decoded.records().size());
        // the planner keeps the host-side work of a checkpoint; the decoded one waits for none
        assertNull(((Checkpoint) decoded.ops().get(1)).hostSide());
    }

    @Test
    void damagedBytesAreRefusedWithWhatWasFound() {
        byte[] wire = ProgramWire.encode(everyKind());

        byte[] magic = wire.clone();
        magic[0] = 0;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ProgramWire.decode(magic))
                .getMessage()
                .startsWith("not a child program: magic 0x"));
        byte[] version = wire.clone();
        ByteBuffer.wrap(version).putInt(4, 9);
        assertEquals(
                "child program version 9: expected 1",
                assertThrows(IllegalArgumentException.class, () -> ProgramWire.decode(version))
                        .getMessage());
        byte[] cut = Arrays.copyOf(wire, wire.length - 3);
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> ProgramWire.decode(cut))
                        .getMessage()
                        .contains("with"),
                "a length beyond the end is refused before anything is allocated");
        byte[] longer = Arrays.copyOf(wire, wire.length + 2);
        assertEquals(
                "child program: 2 bytes after its last op",
                assertThrows(IllegalArgumentException.class, () -> ProgramWire.decode(longer))
                        .getMessage());
        byte[] notUtf8 = wire.clone();
        int description = indexOf(notUtf8, "set the uid".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        notUtf8[description] = (byte) 0xff;
        assertEquals(
                "child program: the string at byte " + (description - 4) + " is not UTF-8",
                assertThrows(IllegalArgumentException.class, () -> ProgramWire.decode(notUtf8))
                        .getMessage());
        byte[] huge = wire.clone();
        ByteBuffer.wrap(huge).putInt(8, Integer.MAX_VALUE); // the section count
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ProgramWire.decode(huge))
                .getMessage()
                .startsWith("child program: a count of 2147483647 at byte 8"));
    }

    @Test
    void aProgramWithoutItsExecIsRefused() {
        ChildProgram program = everyKind();
        byte[] wire = ProgramWire.encode(program);
        // the exec's own bytes: those of a program of a gate and that exec, less its header (magic, version, no
        // sections, the op count) and the gate's tag
        int execBytes = ProgramWire.encode(ChildProgram.builder()
                                .gate()
                                .exec(
                                        program.exec().candidates(),
                                        program.exec().argv(),
                                        program.exec().envp()))
                        .length
                - 17;
        int execAt = wire.length - execBytes;
        byte[] noExec = Arrays.copyOf(wire, execAt);
        ByteBuffer.wrap(noExec).putInt(opCountAt(wire), program.ops().size() - 1);
        assertEquals(
                "child program: its last op is not the exec",
                assertThrows(IllegalArgumentException.class, () -> ProgramWire.decode(noExec))
                        .getMessage());
    }

    @Test
    void aStepCallingAFunctionOutsideTheChainsSetIsRefused() {
        byte[] wire = ProgramWire.encode(ChildProgram.builder()
                .call("mount", Step.call("change root to /new", LibcCall.CHROOT, Arg.text("/new")))
                .gate()
                .exec(List.of("/bin/true"), List.of("true"), List.of()));
        byte[] malloc = wire.clone();
        byte[] name = "malloc".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        System.arraycopy(
                name, 0, malloc, indexOf(malloc, "chroot".getBytes(java.nio.charset.StandardCharsets.UTF_8)), 6);

        String message = assertThrows(IllegalArgumentException.class, () -> ProgramWire.decode(malloc))
                .getMessage();

        assertTrue(
                message.startsWith("child program: step 'change root to /new' calls malloc: expected one of capset, "),
                message);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("not in the bytes");
    }

    /** Where the op count is: after the magic, the version and the sections. */
    private static int opCountAt(byte[] wire) {
        ByteBuffer buffer = ByteBuffer.wrap(wire);
        buffer.position(8);
        int sections = buffer.getInt();
        for (int i = 0; i < sections; i++) {
            buffer.getInt(); // its first op
            int nameLength = buffer.getInt();
            buffer.position(buffer.position() + nameLength);
        }
        return buffer.position();
    }
}
