package io.isola.internal.ebpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.isola.api.Devices.Rule;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The device filter as the verifier would list it: a review sees every change of the generated program. */
class DeviceFilterProgramTest {

    private static final String PROLOGUE = """
            0: r2 = *(u32 *)(r1 +0)
            1: w2 &= 0xffff
            2: r3 = *(u32 *)(r1 +0)
            3: w3 >>= 16
            4: r4 = *(u32 *)(r1 +4)
            5: r5 = *(u32 *)(r1 +8)
            """;

    @Test
    void rulesAreTestedLastFirstAndTheDefaultDenies() {
        List<Rule> rules = List.of(Rule.parse("c 1:3 rwm"), Rule.parse("b 8:* r"), new Rule(false, 'c', 1, 3, "w"));
        assertEquals(PROLOGUE + """
                6: if w2 != 0x2 goto pc+7
                7: w1 = w3
                8: w1 &= 0x4
                9: if w1 == 0x0 goto pc+4
                10: if w4 != 0x1 goto pc+3
                11: if w5 != 0x3 goto pc+2
                12: r0 = 0
                13: exit
                14: if w2 != 0x1 goto pc+6
                15: w1 = w3
                16: w1 &= 0x2
                17: if w1 != w3 goto pc+3
                18: if w4 != 0x8 goto pc+2
                19: r0 = 1
                20: exit
                21: if w2 != 0x2 goto pc+4
                22: if w4 != 0x1 goto pc+3
                23: if w5 != 0x3 goto pc+2
                24: r0 = 1
                25: exit
                26: r0 = 0
                27: exit
                """, DeviceFilterProgram.of(rules).listing());
    }

    @Test
    void aRuleMatchingEverythingEndsTheProgramSoNoCodeIsUnreachable() {
        List<Rule> rules = List.of(Rule.parse("c 1:3 rwm"), new Rule(true, 'a', Rule.ANY, Rule.ANY, "rwm"));
        assertEquals(
                PROLOGUE + "6: r0 = 1\n7: exit\n", DeviceFilterProgram.of(rules).listing());
        assertEquals(
                PROLOGUE + "6: r0 = 0\n7: exit\n",
                DeviceFilterProgram.of(List.of()).listing(),
                "no rule: all denied");
    }

    @Test
    void instructionsAreEncodedAsStructBpfInsn() {
        byte[] code = DeviceFilterProgram.of(List.of(Rule.parse("c 1:3 m"))).encode();
        assertEquals(16 * EbpfInsn.SIZE, code.length); // prologue 6, the rule 8, the default 2
        // r2 = *(u32 *)(r1 +0): LDX|MEM|W, src r1 in the high nibble, dst r2 in the low one
        assertArrayEquals(new byte[] {0x61, 0x12, 0, 0, 0, 0, 0, 0}, Arrays.copyOfRange(code, 0, 8));
        // if w2 != 0x2 goto pc+7: JMP32|JNE|K, offset and immediate little-endian
        assertArrayEquals(new byte[] {0x56, 0x02, 7, 0, 2, 0, 0, 0}, Arrays.copyOfRange(code, 48, 56));
        // exit
        assertArrayEquals(
                new byte[] {(byte) 0x95, 0, 0, 0, 0, 0, 0, 0}, Arrays.copyOfRange(code, code.length - 8, code.length));
    }

    @Test
    void aDeviceNumberOverThirtyTwoBitsIsRefused() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> DeviceFilterProgram.of(List.of(new Rule(true, 'c', 5_000_000_000L, 1, "r"))));
        assertEquals(
                "device rule \"c 5000000000:1 r\": device number 5000000000 is over 4294967295, the largest the kernel has",
                e.getMessage());
    }
}
