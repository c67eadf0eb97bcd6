package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.testing.OpenFds;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A generated corpus of malformed and hostile command lines: each must end with run's exit status 125 (1 for an unknown verb)
 * and one line that names the bad value, with no stack trace, before anything is created; and
 * nothing may be left behind in this JVM or on the host.
 */
class BadInputCorpusTest {

    @TempDir
    Path dir;

    /** The command line with a state root of this test's own: nothing may show in /run/isola. */
    private String[] withRoot(List<String> args) {
        List<String> all =
                new ArrayList<>(List.of("--root", dir.resolve("state").toString()));
        all.addAll(args);
        return all.toArray(String[]::new);
    }

    private List<List<String>> corpus() throws IOException {
        List<List<String>> cases = new ArrayList<>();
        String[] names = {"", "a".repeat(65), "bad name!", "-lead", "x/y", "ünïcode", "a\0b", "a..b/../../etc"};
        for (String name : names) {
            cases.add(List.of("run", "--hostname", name, "true"));
            cases.add(List.of("run", "--domainname", name, "true"));
        }
        for (String id : new String[] {"", "../../etc", "a".repeat(129), "id with space", ".hidden", "x\0y"}) {
            cases.add(List.of("run", "--id", id, "true"));
        }
        for (String dir : new String[] {"relative", "", "/a\0b"}) {
            cases.add(List.of("run", "-w", dir, "true"));
        }
        for (String env : new String[] {"=x", "", "A\0=1"}) {
            cases.add(List.of("run", "-e", env, "true"));
        }
        for (String cap : new String[] {"", "FOO", "CAP_", "cap_sys_admin,BOGUS", "SYS_ADMIN;rm", "\0"}) {
            cases.add(List.of("run", "--cap-add", cap, "true"));
            cases.add(List.of("run", "--cap-drop", cap, "true"));
        }
        for (String limit : new String[] {
            "nofile",
            "nofile=",
            "=5",
            "nofile=abc",
            "nofile=-5",
            "nofile=2:1",
            "nofile=1:2:3",
            "bogus=1",
            "nofile=99999999999999999999",
            "NOFILE=1:x"
        }) {
            cases.add(List.of("run", "--ulimit", limit, "true"));
        }
        Path garbage = Files.write(dir.resolve("garbage.json"), new byte[] {(byte) 0xff, 0, 1, 2, '{'});
        Path truncated = Files.writeString(
                dir.resolve("truncated.json"), "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [");
        Path array = Files.writeString(dir.resolve("array.json"), "[]");
        Path notify = Files.writeString(dir.resolve("notify.json"), "{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}");
        Path badArg = Files.writeString(
                dir.resolve("arg.json"),
                "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
                        + "[{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 9, \"op\": \"SCMP_CMP_EQ\"}]}]}");
        Path deep = Files.writeString(dir.resolve("deep.json"), "[".repeat(100_000));
        for (String opt : new String[] {
            "seccomp",
            "seccomp=",
            "seccomp=" + dir.resolve("missing.json"),
            "seccomp=" + garbage,
            "seccomp=" + truncated,
            "seccomp=" + array,
            "seccomp=" + notify,
            "seccomp=" + badArg,
            "seccomp=" + deep,
            "seccomp=" + dir,
            "no-new-privileges=maybe",
            "label=disable",
            "apparmor=",
            "apparmor=two words",
            ""
        }) {
            cases.add(List.of("run", "--security-opt", opt, "true"));
        }
        // Docker's flags: a value isola cannot honour is refused, never run as the command
        for (String[] flag : new String[][] {
            {"--pid", "container:web"},
            {"--pid", "foo"},
            {"--ipc", "none"},
            {"--uts", ""},
            {"--mount", "type=volume,src=v,dst=/d"},
            {"--mount", "type=bind,dst=/d"},
            {"--mount", ""},
            {"--mount", "type=tmpfs,dst=/d,tmpfs-size=1q"},
            {"--network", "container:"},
            {"--restart", "always"},
            {"--restart", "sometimes"},
            {"--restart", "always:3"},
            {"-d", "--rm", "--restart", "always"},
            {"-P", "--expose", "eighty"},
            {"--add-host", "db:1.2.3.4 x"},
            {"--dns", "dns.example"},
            {"--userns", "host", "--uidmap", "0:1:1"}
        }) {
            List<String> line = new ArrayList<>(List.of("run"));
            line.addAll(List.of(flag));
            line.add("true");
            cases.add(line);
        }
        cases.add(List.of("run"));
        cases.add(List.of("run", "--frobnicate", "true"));
        cases.add(List.of("run", "--no-uts", "--hostname", "h", "true"));
        cases.add(List.of("launch", "true"));
        return cases;
    }

    @Test
    void everyBadCommandLineEndsWith125AndOneClearLine() throws Exception {
        List<List<String>> corpus = corpus();
        List<String> problems = new ArrayList<>();
        for (List<String> args : corpus) { // also loads every class the error paths need
            StringWriter out = new StringWriter(), err = new StringWriter();
            int status = Main.execute(withRoot(args), new PrintWriter(out, true), new PrintWriter(err, true));
            String message = err.toString();
            if (status != Main.failureStatus(io.isola.launcher.client.Verbs.verb(args.toArray(String[]::new)))
                    || !message.startsWith("isola: ")
                    || message.contains("Exception")
                    || message.contains("\tat ")
                    || message.lines().count() > 2) {
                problems.add(args + " -> " + status + ": " + message);
            }
        }
        // loading the native layer opens library fds that stay open for the JVM's life: not a leak
        io.isola.internal.nativ.Native.get().lastErrno();
        OpenFds fds = OpenFds.now();
        long mounts = Files.readAllLines(Path.of("/proc/self/mountinfo")).size();
        long children = ProcessHandle.current().children().count();
        int leftBehind = 0;
        for (List<String> args : corpus) {
            Main.execute(withRoot(args), new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
            String left = leftBehind(fds, children, mounts);
            for (int wait = 0; left != null && wait < 10; wait++) { // what settles back was not ours to keep
                Thread.sleep(100); // (another process's mount, a child being reaped): only what stays counts
                left = leftBehind(fds, children, mounts);
            }
            if (left != null) {
                leftBehind++;
                problems.add(args + " left something behind: " + left);
            }
        }
        System.out.printf("bad command lines: %d cases tried, %d left something behind%n", corpus.size(), leftBehind);
        assertTrue(corpus.size() > 60, "corpus of " + corpus.size());
        assertEquals(List.of(), problems);
    }

    /** What differs from the baseline (fds, children, the host's mount table), or null. */
    private static String leftBehind(OpenFds fds, long children, long mounts) throws IOException, InterruptedException {
        List<String> leaked = fds.leaked();
        long nowChildren = ProcessHandle.current().children().count();
        long nowMounts = Files.readAllLines(Path.of("/proc/self/mountinfo")).size();
        if (leaked.isEmpty() && nowChildren <= children && nowMounts == mounts) {
            return null;
        }
        return "fds " + leaked + ", children " + children + " -> " + nowChildren + ", mounts " + mounts + " -> "
                + nowMounts;
    }
}
