package io.isola.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Assumptions;

/**
 * A host process that took the pid of an ended one within the clock tick (10 ms) the ended one
 * started in, so that both have the same start time in /proc/PID/stat: what a pid and a start time
 * cannot tell apart. A perl helper (perl-base is part of every Debian) forks the first process,
 * waits while the test records what it knows of it, kills and reaps it, sets the host's
 * ns_last_pid (as PidSquatter does; root only) and forks the second; under load the tick or the pid
 * may be missed, so it is tried a bounded number of times, and the test is skipped, with the
 * reason, where it never came off. Closing kills the second process (it also dies with the helper).
 *
 * @param <T> what the test recorded of the first process while it ran
 */
public final class SameTickPidReuse<T> implements AutoCloseable {

    private static final Path LAST_PID = Path.of("/proc/sys/kernel/ns_last_pid");
    private static final int ATTEMPTS = 200;
    /** Prints "pid starttime" of each child; children die with the helper (PR_SET_PDEATHSIG, prctl 157 on x86_64). */
    private static final String HELPER = String.join(
            "\n",
            "use strict; $| = 1;",
            "sub started { open(my $s, '<', \"/proc/$_[0]/stat\") or return -1; my $l = <$s>;",
            "  $l =~ s/^.*\\) //s; return (split / /, $l)[19]; }",
            "sub child { my $p = fork(); die \"fork: $!\" unless defined $p;",
            "  if ($p == 0) { syscall(157, 1, 9); sleep 600; exit 0; } return $p; }",
            "my $x = child(); print \"$x \", started($x), \"\\n\";",
            "defined(<STDIN>) or exit 0;",
            "kill 'KILL', $x; waitpid($x, 0);",
            "open(my $last, '>', '/proc/sys/kernel/ns_last_pid') or die \"ns_last_pid: $!\";",
            "print $last $x - 1; close $last;",
            "my $y = child(); print \"$y \", started($y), \"\\n\";",
            "<STDIN>; kill 'KILL', $y; waitpid($y, 0);");

    private final Process helper;
    private final Writer commands;
    private final long pid;
    private final long startTime;
    private final T recorded;

    private SameTickPidReuse(Process helper, Writer commands, long pid, long startTime, T recorded) {
        this.helper = helper;
        this.commands = commands;
        this.pid = pid;
        this.startTime = startTime;
        this.recorded = recorded;
    }

    /**
     * Starts a process, gives its pid to {@code record} while it runs, ends it, and starts another
     * with its pid and start time.
     */
    public static <T> SameTickPidReuse<T> force(LongFunction<T> record) throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isWritable(LAST_PID), LAST_PID + " is not writable: pids cannot be forced");
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Process helper = new ProcessBuilder("perl", "-e", HELPER)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            boolean kept = false;
            try {
                BufferedReader answers =
                        new BufferedReader(new InputStreamReader(helper.getInputStream(), StandardCharsets.US_ASCII));
                Writer commands = new OutputStreamWriter(helper.getOutputStream(), StandardCharsets.US_ASCII);
                long[] first = parse(answers.readLine());
                T recorded = record.apply(first[0]);
                commands.write("go\n");
                commands.flush();
                long[] second = parse(answers.readLine());
                if (first[1] > 0 && second[0] == first[0] && second[1] == first[1]) {
                    kept = true;
                    return new SameTickPidReuse<>(helper, commands, second[0], second[1], recorded);
                }
            } finally {
                if (!kept) {
                    stop(helper);
                }
            }
        }
        Assumptions.abort("no process took an ended one's pid within its clock tick in " + ATTEMPTS + " attempts");
        return null;
    }

    private static long[] parse(String line) throws IOException {
        if (line == null) {
            throw new IOException("the pid reuse helper ended early");
        }
        String[] fields = line.trim().split(" ");
        return new long[] {Long.parseLong(fields[0]), Long.parseLong(fields[1])};
    }

    /** The pid both processes had. */
    public long pid() {
        return pid;
    }

    /** The start time both processes had. */
    public long startTime() {
        return startTime;
    }

    /** What the test recorded of the first process while it ran. */
    public T recorded() {
        return recorded;
    }

    private static void stop(Process helper) throws InterruptedException {
        helper.destroyForcibly();
        helper.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        try {
            commands.write("end\n");
            commands.close();
            helper.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            // the helper has gone already, and its child with it
        } finally {
            stop(helper);
        }
    }
}
