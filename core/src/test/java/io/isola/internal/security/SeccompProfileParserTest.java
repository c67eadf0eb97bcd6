package io.isola.internal.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.Capability;
import io.isola.api.SeccompProfile;
import io.isola.api.SeccompProfile.Action;
import io.isola.api.SeccompProfile.Op;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Docker's profile format is read as Docker writes it, and every malformed profile is named with its fault. */
class SeccompProfileParserTest {

    @Test
    void readsDockersFormat() {
        SeccompProfile profile = SeccompProfile.parse("p.json", """
                {
                  "defaultAction": "SCMP_ACT_ERRNO",
                  "defaultErrnoRet": 1,
                  "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]}],
                  "syscalls": [
                    {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
                    {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
                     "args": [{"index": 0, "value": 2114060288, "op": "SCMP_CMP_MASKED_EQ"}],
                     "excludes": {"caps": ["CAP_SYS_ADMIN"], "arches": ["s390x"]}},
                    {"names": ["ptrace"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "4.8"}},
                    {"name": "mkdir", "action": "SCMP_ACT_ERRNO", "errnoRet": 13, "comment": "old single-name form"}
                  ]
                }""");
        assertEquals(Action.ERRNO, profile.defaultAction());
        assertEquals(List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"), profile.architectures());
        assertEquals(4, profile.rules().size());
        assertEquals(Op.MASKED_EQ, profile.rules().get(1).conditions().get(0).op());
        assertEquals(Set.of(Capability.SYS_ADMIN), profile.rules().get(1).excludeCaps());
        assertEquals("4.8", profile.rules().get(2).minKernel());
        assertEquals(13, profile.rules().get(3).errno());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "not json | {\"defaultAction\": | is not valid JSON",
                "an array | [] | expected a JSON object",
                "no default action | {\"syscalls\": []} | has no defaultAction",
                "unknown action | {\"defaultAction\": \"SCMP_ACT_MAYBE\"} | defaultAction SCMP_ACT_MAYBE: expected one of",
                "notify | {\"defaultAction\": \"SCMP_ACT_NOTIFY\"} | not supported",
                "syscalls not an array | {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": {}} | syscalls: expected an array",
                "rule without names | {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"action\": \"SCMP_ACT_ALLOW\"}]} | names no system call",
                "hostile name | {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"../../etc\"], \"action\": \"SCMP_ACT_ALLOW\"}]} | is not a valid name",
                "rule without action | {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"]}]} | has no action",
                "index out of range | {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]} | expected an argument index from 0 to 5",
                "unknown op | {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_ABOUT\"}]}]} | SCMP_CMP_ABOUT",
                "negative value | {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": -1, \"op\": \"SCMP_CMP_EQ\"}]}]} | unsigned 64-bit",
                "value too big | {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 18446744073709551616, \"op\": \"SCMP_CMP_EQ\"}]}]} | unsigned 64-bit",
                "errno out of range | {\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 99999} | errno number from 0 to 4095",
                "unknown capability | {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"caps\": [\"CAP_ROOT\"]}}]} | CAP_ROOT",
                "bad kernel version | {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"minKernel\": \"four\"}}]} | kernel version",
                "architectures not strings | {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [1]} | expected strings",
            })
    void aMalformedProfileIsNamedWithItsFault(String what, String json, String expected) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> SeccompProfile.parse("bad.json", json));
        assertTrue(e.getMessage().startsWith("seccomp profile \"bad.json\": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), () -> what + ": " + e.getMessage());
    }
}
