package io.isola.internal.chain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.ffm.FfmThinLibc;
import io.isola.internal.nativ.CloneLibc;
import io.isola.internal.nativ.JnrCloneLibc;
import io.isola.internal.nativ.ThinLibc;
import io.isola.spi.Arg;
import io.isola.spi.LibcCall;
import io.isola.spi.Step;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The FFM binding against jnr-ffi's: the same libc, the same compiled chain, and a real child
 * cloned from it (issue 17's thin create on JDK 22 or later).
 */
class FfmChainTest {

    private static final long SYS_PIPE2 = 293;
    private static final int O_CLOEXEC = 02000000, P_PID = 1, WEXITED = 4, CLD_EXITED = 1;
    /** x86_64's uc_mcontext.gregs, and the registers makecontext sets: RBX, RSP, RIP, and RDI, the first argument. */
    private static final long GREGS = 40;

    private static final long[] MAKECONTEXT_REGISTERS = {GREGS + 8 * 11, GREGS + 8 * 15, GREGS + 8 * 16, GREGS + 8 * 8};

    private final ThinLibc ffm = new FfmThinLibc();
    private final CloneLibc jnr = JnrCloneLibc.get();

    @Test
    void looksUpTheSameLibcAsJnr() {
        List<String> names = new ArrayList<>(List.of("setcontext", "memset", "memcpy", "read", "execve", "_exit"));
        for (LibcCall call : LibcCall.values()) {
            names.add(call.symbol());
        }
        for (String name : names) {
            assertEquals(jnr.symbol(name), ffm.symbol(name), name);
        }
        assertEquals(jnr.errnoLocation(), ffm.errnoLocation(), "this thread's errno");
    }

    @Test
    void compilesTheSameChainAsJnr() {
        assertEquals("amd64", System.getProperty("os.arch"), "the registers compared are x86_64's");
        ChildProgram program = program(List.of("/nonexistent/true", "/bin/true"), List.of("true"));
        try (ChainArena arena = new ChainArena(jnr);
                ChainCompiler viaJnr = new ChainCompiler(jnr);
                ChainCompiler viaFfm = new ChainCompiler(ffm)) {
            long errno = jnr.errnoLocation(), spawned = arena.reserve(1); // both write into the same arena
            int bytes = 256 * 1024; // the arena's first size, which this program fits
            ChainCompiler.Compiled first = viaJnr.compile(program, 700, 701, errno, arena, spawned, CloneMode.VFORK);
            byte[] jnrChain = new byte[bytes];
            jnr.getBytes(first.firstContext(), jnrChain, 0, bytes);
            jnr.zero(first.firstContext(), bytes);
            ChainCompiler.Compiled second = viaFfm.compile(program, 700, 701, errno, arena, spawned, CloneMode.VFORK);
            byte[] ffmChain = new byte[bytes];
            ffm.getBytes(second.firstContext(), ffmChain, 0, bytes);

            assertEquals(first, second);
            UcontextLayout layout = UcontextLayout.get(jnr);
            int slots = 0;
            for (long ctx = first.firstContext(); ctx != 0; ctx = ffm.getLong(ctx + UcontextLayout.LINK)) {
                slots++;
            }
            int slotBytes = slots * layout.slotSize;
            for (int slot = 0; slot < slots; slot++) {
                int at = slot * layout.slotSize;
                // what the compiler writes into a slot; the rest is getcontext's template, whose
                // saved registers are those of each binding's own call
                assertRange(
                        jnrChain, ffmChain, at + (int) UcontextLayout.LINK, 32, "slot " + slot + "'s link and stack");
                assertRange(
                        jnrChain,
                        ffmChain,
                        at + (int) layout.sigmaskOffset,
                        UcontextLayout.SIGSET_BYTES,
                        "slot " + slot + "'s mask");
                for (long register : MAKECONTEXT_REGISTERS) {
                    assertRange(
                            jnrChain, ffmChain, at + (int) register, 8, "slot " + slot + "'s register at " + register);
                }
            }
            assertRange(jnrChain, ffmChain, slotBytes, bytes - slotBytes, "the stacks, masks, records and data");
            assertTrue(slots > 10, slots + " contexts");
        }
    }

    @Test
    void clonesAChildThatExecsAndExits() throws Exception {
        int[] status = pipe(), gate = pipe();
        ChildProgram program = program(List.of("/bin/sh"), List.of("sh", "-c", "exit 7"));
        long tid = ffm.allocate(16);
        int pid;
        try (CloneThreads threads = new CloneThreads(ffm)) {
            pid = threads.clone(program, 0, status[1], gate[0], tid, CloneMode.FORK, -1)
                    .get(30, TimeUnit.SECONDS);
        } finally {
            ffm.free(tid, 16);
            ffm.close(status[1]);
            ffm.close(gate[0]);
        }
        try {
            writeAll(gate[1], GatePayload.of(program.exec()));
            byte[] records = readToEnd(status[0]); // until the exec closes the child's end (close-on-exec)
            assertArrayEquals(new byte[8], records, "the chdir's and the gate's records, both errno 0");
            long info = ffm.allocate(128);
            try {
                assertEquals(0, ffm.waitid(P_PID, pid, info, WEXITED), "waitid: errno " + ffm.lastErrno());
                assertEquals(CLD_EXITED, ffm.getInt(info + 8), "how the child ended");
                assertEquals(7, ffm.getInt(info + 24), "the command's exit status");
            } finally {
                ffm.free(info, 128);
            }
        } finally {
            ffm.close(status[0]);
            ffm.close(gate[1]);
        }
    }

    /** A chdir, the gate, and the exec, as a composed program ends. */
    private static ChildProgram program(List<String> candidates, List<String> argv) {
        return ChildProgram.builder()
                .call("test", Step.call("enter /", LibcCall.CHDIR, Arg.text("/")))
                .gate()
                .exec(candidates, argv, List.of("PATH=/bin"));
    }

    private int[] pipe() {
        long fds = ffm.allocate(8);
        try {
            assertEquals(0, ffm.syscall(SYS_PIPE2, fds, O_CLOEXEC, 0, 0), "pipe2");
            return new int[] {ffm.getInt(fds), ffm.getInt(fds + 4)};
        } finally {
            ffm.free(fds, 8);
        }
    }

    private void writeAll(int fd, byte[] bytes) {
        long buffer = ffm.allocate(bytes.length);
        try {
            ffm.putBytes(buffer, bytes);
            assertEquals(bytes.length, ffm.write(fd, buffer, bytes.length), "the gate's write");
        } finally {
            ffm.free(buffer, bytes.length);
        }
    }

    private byte[] readToEnd(int fd) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long buffer = ffm.allocate(256);
        try {
            for (int i = 0; i < 100; i++) {
                long n = ffm.read(fd, buffer, 256);
                assertTrue(n >= 0, "read: errno " + ffm.lastErrno());
                if (n == 0) {
                    return out.toByteArray();
                }
                byte[] chunk = new byte[(int) n];
                ffm.getBytes(buffer, chunk, 0, chunk.length);
                out.writeBytes(chunk);
            }
            throw new AssertionError("no end of the status pipe after 100 reads");
        } finally {
            ffm.free(buffer, 256);
        }
    }

    private static void assertRange(byte[] expected, byte[] actual, int from, int length, String what) {
        for (int i = from; i < from + length; i++) {
            if (expected[i] != actual[i]) {
                throw new AssertionError(
                        what + ": byte " + i + " differs, jnr-ffi's " + expected[i] + " against " + actual[i]);
            }
        }
    }
}
