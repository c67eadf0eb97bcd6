package io.isola.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.api.SeccompProfile;
import io.isola.api.Security;
import io.isola.testing.TestRuntimes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A generated corpus of malformed and hostile spec values, given to the embedded runtime: each is
 * rejected with an {@link IllegalArgumentException} whose message quotes the bad value or names
 * the setting, whether the spec builder or the start refuses it, and nothing is left behind: no
 * fd, thread, native memory, process or mount, and the command never runs.
 */
class BadSpecCorpusTest {

    @TempDir
    Path dir;

    private record Case(String what, Supplier<ContainerSpec> spec) {}

    private List<Case> corpus(Path marker) throws Exception {
        List<Case> cases = new ArrayList<>();
        String[] hostile = {"", "\0", "a\0b", "../../etc/passwd", "x".repeat(70_000), "\n", "$(touch " + marker + ")"};
        for (String value : hostile) {
            cases.add(new Case(
                    "hostname " + value.length(),
                    () -> base(marker).hostname(value).build()));
            cases.add(new Case(
                    "id " + value.length(), () -> base(marker).id(value).build()));
            cases.add(new Case(
                    "cwd " + value.length(), () -> base(marker).cwd(value).build()));
            cases.add(new Case(
                    "env name " + value.length(),
                    () -> base(marker).env(value + "=", "v").build()));
            cases.add(new Case(
                    "cap-add " + value.length(),
                    () -> base(marker)
                            .with(Security.builder().capAdd(value).build())
                            .build()));
            cases.add(new Case(
                    "ulimit " + value.length(),
                    () -> base(marker)
                            .with(Security.builder().ulimit(value).build())
                            .build()));
            cases.add(new Case(
                    "security-opt " + value.length(),
                    () -> base(marker)
                            .with(Security.builder().securityOpt(value).build())
                            .build()));
        }
        cases.add(
                new Case("empty command", () -> ContainerSpec.builder(List.of()).build()));
        cases.add(new Case(
                "NUL in the command",
                () -> ContainerSpec.builder("touch", marker + "\0x").build()));
        cases.add(new Case(
                "no isolator of that name",
                () -> base(marker).isolators(Set.of("uts", "nosuch")).build()));
        cases.add(new Case(
                "hostname without uts",
                () -> base(marker).isolators(Set.of("mount")).hostname("h").build()));
        cases.add(new Case(
                "zero start timeout",
                () -> base(marker).startTimeout(Duration.ZERO).build()));
        // refused when the container starts, before anything exists: they depend on the host
        cases.add(new Case(
                "ulimit above the host's hard limit",
                () -> base(marker)
                        .with(Security.builder()
                                .ulimit("nofile=1000000000:1000000000")
                                .build())
                        .build()));
        for (String denied : new String[] {"execve", "write", "read", "rt_sigprocmask", "prctl", "exit_group"}) {
            String json = "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"" + denied
                    + "\"], \"action\": \"SCMP_ACT_KILL\"}]}";
            cases.add(new Case(
                    "profile denying " + denied,
                    () -> base(marker)
                            .with(Security.builder()
                                    .seccompProfile(SeccompProfile.parse(denied + ".json", json))
                                    .build())
                            .build()));
        }
        cases.add(new Case(
                "profile denying everything",
                () -> base(marker)
                        .with(Security.builder()
                                .seccompProfile(
                                        SeccompProfile.parse("deny.json", "{\"defaultAction\": \"SCMP_ACT_ERRNO\"}"))
                                .build())
                        .build()));
        cases.add(new Case(
                "profile for another architecture",
                () -> base(marker)
                        .with(Security.builder()
                                .seccompProfile(
                                        SeccompProfile.parse(
                                                "s390.json",
                                                "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_S390X\"]}"))
                                .build())
                        .build()));
        Path big = dir.resolve("big.json");
        Files.write(big, new byte[SeccompProfile.MAX_BYTES + 1]);
        cases.add(new Case(
                "profile too big",
                () -> base(marker)
                        .with(Security.builder().securityOpt("seccomp=" + big).build())
                        .build()));
        cases.add(new Case(
                "profile that is a device",
                () -> base(marker)
                        .with(Security.builder()
                                .securityOpt("seccomp=/dev/zero")
                                .build())
                        .build()));
        return cases;
    }

    private static ContainerSpec.Builder base(Path marker) {
        return ContainerSpec.builder("touch", marker.toString());
    }

    @Test
    void everyBadSpecIsRejectedAndNothingIsLeft() throws Exception {
        Path marker = dir.resolve("command-ran");
        List<Case> corpus = corpus(marker);
        List<String> problems = new ArrayList<>();
        int leftBehind = 0;
        try (Isola isola = TestRuntimes.full()) {
            isola.run(ContainerSpec.builder("true").build()); // loads the native layer first
            for (int pass = 0; pass < 2; pass++) { // the first pass loads the classes the error paths need
                Leftovers before = Leftovers.now();
                for (Case bad : corpus) {
                    try {
                        ContainerSpec spec = bad.spec().get();
                        isola.run(spec);
                        problems.add(bad.what() + ": accepted");
                    } catch (IllegalArgumentException expected) {
                        String message = expected.getMessage();
                        if (message == null
                                || message.isEmpty()
                                || Character.isUpperCase(message.charAt(0))
                                || message.contains("Exception")) {
                            problems.add(bad.what() + ": unclear message " + message);
                        }
                    } catch (RuntimeException other) {
                        problems.add(bad.what() + ": " + other);
                    }
                    if (pass == 1) {
                        List<String> left = Leftovers.now().since(before);
                        if (!left.isEmpty() || Files.exists(marker)) {
                            leftBehind++;
                            problems.add(bad.what() + " left " + left
                                    + (Files.exists(marker) ? " and ran the command" : ""));
                        }
                    }
                }
            }
        }
        System.out.printf("bad spec values: %d cases tried, %d left something behind%n", corpus.size(), leftBehind);
        assertTrue(corpus.size() > 50, "corpus of " + corpus.size());
        assertEquals(List.of(), problems.stream().distinct().toList());
    }
}
