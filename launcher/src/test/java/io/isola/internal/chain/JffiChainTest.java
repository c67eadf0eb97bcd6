package io.isola.internal.chain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.internal.nativ.CloneLibc;
import io.isola.internal.nativ.JnrCloneLibc;
import io.isola.internal.nativ.ThinLibc;
import io.isola.launcher.client.JffiThinLibc;
import io.isola.spi.Arg;
import io.isola.spi.LibcCall;
import io.isola.spi.Step;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The thin client's raw jffi binding against jnr-ffi's: the same libc, the same compiled chain,
 * and a real child cloned from it (issue 17's thin create and exec).
 */
class JffiChainTest {

    private static final long SYS_PIPE2 = 293;
    private static final int O_CLOEXEC = 02000000, P_PID = 1, WEXITED = 4, CLD_EXITED = 1;
    /** x86_64's uc_mcontext.gregs, and the registers makecontext sets: RBX, RSP, RIP, and RDI, the first argument. */
    private static final long GREGS = 40;

    private static final long[] MAKECONTEXT_REGISTERS = {GREGS + 8 * 11, GREGS + 8 * 15, GREGS + 8 * 16, GREGS + 8 * 8};

    private final ThinLibc thin = new JffiThinLibc();
    private final CloneLibc jnr = JnrCloneLibc.get();

    @Test
    void looksUpTheSameLibcAsJnr() {
        List<String> names = new ArrayList<>(List.of("setcontext", "memset", "memcpy", "read", "execve", "_exit"));
        for (LibcCall call : LibcCall.values()) {
            names.add(call.symbol());
        }
        for (String name : names) {
            assertEquals(jnr.symbol(name), thin.symbol(name), name);
        }
        assertEquals(jnr.errnoLocation(), thin.errnoLocation(), "this thread's errno");
    }

    @Test
    void compilesTheSameChainAsJnr() {
        assertEquals("amd64", System.getProperty("os.arch"), "the registers compared are x86_64's");
        ChildProgram program = program(List.of("/nonexistent/true", "/bin/true"), List.of("true"));
        try (ChainArena arena = new ChainArena(jnr);
                ChainCompiler viaJnr = new ChainCompiler(jnr);
                ChainCompiler viaThin = new ChainCompiler(thin)) {
            long errno = jnr.errnoLocation(), spawned = arena.reserve(1); // both write into the same arena
            int bytes = 256 * 1024; // the arena's first size, which this program fits
            ChainCompiler.Compiled first = viaJnr.compile(program, 700, 701, errno, arena, spawned, CloneMode.VFORK);
            byte[] jnrChain = new byte[bytes];
            jnr.getBytes(first.firstContext(), jnrChain, 0, bytes);
            jnr.zero(first.firstContext(), bytes);
            ChainCompiler.Compiled second = viaThin.compile(program, 700, 701, errno, arena, spawned, CloneMode.VFORK);
            byte[] thinChain = new byte[bytes];
            thin.getBytes(second.firstContext(), thinChain, 0, bytes);

            assertEquals(first, second);
            UcontextLayout layout = UcontextLayout.get(jnr);
            int slots = 0;
            for (long ctx = first.firstContext(); ctx != 0; ctx = thin.getLong(ctx + UcontextLayout.LINK)) {
                slots++;
            }
            int slotBytes = slots * layout.slotSize;
            for (int slot = 0; slot < slots; slot++) {
                int at = slot * layout.slotSize;
                // what the compiler writes into a slot; the rest is getcontext's template, whose
                // saved registers are those of each binding's own call
                assertRange(
                        jnrChain, thinChain, at + (int) UcontextLayout.LINK, 32, "slot " + slot + "'s link and stack");
                assertRange(
                        jnrChain,
                        thinChain,
                        at + (int) layout.sigmaskOffset,
                        UcontextLayout.SIGSET_BYTES,
                        "slot " + slot + "'s mask");
                for (long register : MAKECONTEXT_REGISTERS) {
                    assertRange(
                            jnrChain, thinChain, at + (int) register, 8, "slot " + slot + "'s register at " + register);
                }
            }
            assertRange(jnrChain, thinChain, slotBytes, bytes - slotBytes, "the stacks, masks, records and data");
            assertTrue(slots > 10, slots + " contexts");
        }
    }

    @Test
    void clonesAChildThatExecsAndExits() throws Exception {
        int[] status = pipe(), gate = pipe();
        ChildProgram program = program(List.of("/bin/sh"), List.of("sh", "-c", "exit 7"));
        long tid = thin.allocate(16);
        int pid;
        try (CloneThreads threads = new CloneThreads(thin)) {
            pid = threads.clone(program, 0, status[1], gate[0], tid, CloneMode.FORK, -1)
                    .get(30, TimeUnit.SECONDS);
        } finally {
            thin.free(tid, 16);
            thin.close(status[1]);
            thin.close(gate[0]);
        }
        try {
            writeAll(gate[1], GatePayload.of(program.exec()));
            byte[] records = readToEnd(status[0]); // until the exec closes the child's end (close-on-exec)
            assertArrayEquals(new byte[8], records, "the chdir's and the gate's records, both errno 0");
            long info = thin.allocate(128);
            try {
                assertEquals(0, thin.waitid(P_PID, pid, info, WEXITED), "waitid: errno " + thin.lastErrno());
                assertEquals(CLD_EXITED, thin.getInt(info + 8), "how the child ended");
                assertEquals(7, thin.getInt(info + 24), "the command's exit status");
            } finally {
                thin.free(info, 128);
            }
        } finally {
            thin.close(status[0]);
            thin.close(gate[1]);
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
        long fds = thin.allocate(8);
        try {
            assertEquals(0, thin.syscall(SYS_PIPE2, fds, O_CLOEXEC, 0, 0), "pipe2");
            return new int[] {thin.getInt(fds), thin.getInt(fds + 4)};
        } finally {
            thin.free(fds, 8);
        }
    }

    private void writeAll(int fd, byte[] bytes) {
        long buffer = thin.allocate(bytes.length);
        try {
            thin.putBytes(buffer, bytes);
            assertEquals(bytes.length, thin.write(fd, buffer, bytes.length), "the gate's write");
        } finally {
            thin.free(buffer, bytes.length);
        }
    }

    private byte[] readToEnd(int fd) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long buffer = thin.allocate(256);
        try {
            for (int i = 0; i < 100; i++) {
                long n = thin.read(fd, buffer, 256);
                assertTrue(n >= 0, "read: errno " + thin.lastErrno());
                if (n == 0) {
                    return out.toByteArray();
                }
                byte[] chunk = new byte[(int) n];
                thin.getBytes(buffer, chunk, 0, chunk.length);
                out.writeBytes(chunk);
            }
            throw new AssertionError("no end of the status pipe after 100 reads");
        } finally {
            thin.free(buffer, 256);
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
