package io.isola.internal.launch;

import static io.isola.internal.nativ.Signals.SIGKILL;

import io.isola.api.ContainerSpec;
import io.isola.api.ProcessAttributes;
import io.isola.internal.chain.ChildProgram;
import io.isola.internal.nativ.SyscallNumbers;
import io.isola.internal.security.SecurityPlan;
import io.isola.spi.Arg;
import io.isola.spi.LibcCall;
import io.isola.spi.Namespace;
import io.isola.spi.Phase;
import io.isola.spi.Step;
import io.isola.spi.Steps;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Puts a container's child program together: the runtime's own hygiene steps, then every phase
 * with the isolators' steps in the kernel's namespace order, the gate, and the exec candidates.
 *
 * <p>The order, and why:
 * <ol>
 *   <li>non-dumpable (a root runtime's child, see {@link io.isola.internal.nativ.Dumpability}):
 *       the clone copied or shares the flag already; this keeps a fork-style child so whatever
 *       the JVM's flag became since, before it joins or creates any namespace;
 *   <li>parent-death signal: a host that dies mid-setup takes the child with it;
 *   <li>signal handlers reset: nothing of the JVM may run once signals are unblocked at execve;
 *   <li>stdio dup2, then close every other inherited fd but the status and gate pipes;
 *   <li>the AppArmor profile or SELinux context for the execve, through the host's /proc, while the fds open are
 *       known exactly (the profile applies at execve only);
 *   <li>unshare of namespaces clone() cannot create (time);
 *   <li>the phases; with a new mount namespace, FILESYSTEM starts by making {@code /}
 *       recursively private, behind a checkpoint, so that no later mount can reach the host;
 *       LOCKDOWN ends with the built-in lock-down, after the isolators' steps there: a session
 *       keyring of its own, limits and the bounding set while the child is still root, the
 *       switch to the spec's {@link io.isola.api.ProcessUser}, then the effective and permitted
 *       capabilities and no_new_privs (ids before capabilities, as runc does); non-dumpable again
 *       after the switch of ids, as a change of credentials resets the flag to {@code
 *       fs.suid_dumpable};
 *   <li>a new session, out of the caller's and its terminal's (a terminal of the container's own
 *       becomes the controlling one after the working directory);
 *   <li>the seccomp filter, after PROCESS: it must restrict nothing the setup still needs;
 *   <li>the working directory;
 *   <li>the gate; after it the parent-death signal is cleared (the command outlives the
 *       cloning thread), and the execve candidates.
 * </ol>
 */
final class ProgramComposer {

    static final String CORE = "core";
    private static final int PR_SET_PDEATHSIG = 1, PR_SET_DUMPABLE = 4;
    private static final long TIOCSCTTY = 0x540E;
    private static final int F_SETFD = 2;
    private static final int KEYCTL_JOIN_SESSION_KEYRING = 1;

    private ProgramComposer() {}

    /** A namespace to join by an fd the host opened from {@code /proc/<pid>/ns}. */
    record JoinedNamespace(Namespace namespace, int fd) {}

    /**
     * What kind of start this is, beyond the spec: {@code forked} (OCI create: no parent-death
     * signal, the child outlives the host), {@code joins} (exec: setns into these, in this order,
     * then spawn the process that runs the command, or not: {@link ExecJoins}), {@code terminal} (a session of its own with
     * stdin as its controlling terminal), {@code nonDumpable} (the child stays non-dumpable until
     * execve: a root runtime's), {@code remote} (another process clones it: {@link ExecJoins}).
     */
    record Shape(boolean forked, List<JoinedNamespace> joins, boolean terminal, boolean nonDumpable, boolean remote) {
        static final Shape PLAIN = new Shape(false, List.of(), false, false);

        Shape(boolean forked, List<JoinedNamespace> joins, boolean terminal, boolean nonDumpable) {
            this(forked, joins, terminal, nonDumpable, false);
        }
    }

    static ChildProgram compose(
            ContainerSpec spec,
            Set<Namespace> namespaces,
            List<Contribution> contributions,
            StdioPlan stdio,
            List<Integer> keptFds,
            List<Integer> signalsToReset) {
        return compose(
                spec,
                namespaces,
                contributions,
                stdio,
                keptFds,
                signalsToReset,
                new SecurityPlan(List.of(), List.of(), List.of(), false),
                Shape.PLAIN);
    }

    static ChildProgram compose(
            ContainerSpec spec,
            Set<Namespace> namespaces,
            List<Contribution> contributions,
            StdioPlan stdio,
            List<Integer> keptFds,
            List<Integer> signalsToReset,
            SecurityPlan security,
            Shape shape) {
        ChildProgram.Builder program = ChildProgram.builder().section("start");
        if (shape.nonDumpable()) {
            program.call(CORE, nonDumpable());
        }
        if (!shape.forked()) {
            program.call(CORE, parentDeathSignal(SIGKILL));
        }
        for (int signal : signalsToReset) {
            program.call(CORE, HostSignals.resetStep(signal));
        }
        String[] streams = {"stdin", "stdout", "stderr"};
        for (int stream = 0; stream < 3; stream++) {
            if (stdio.childFds[stream] >= 0) {
                program.call(
                        CORE,
                        Step.call(
                                "connect " + streams[stream],
                                LibcCall.DUP2,
                                Arg.word(stdio.childFds[stream]),
                                Arg.word(stream)));
            }
        }
        ExecJoins exec = new ExecJoins(shape.joins(), shape.remote());
        List<Integer> kept = new ArrayList<>(keptFds);
        exec.bySetns().forEach(join -> kept.add(join.fd()));
        if (security.execLabel() != null) {
            kept.add(security.execLabel().procFd());
        }
        closeInheritedFds(program, kept);
        for (int fd : spec.extension(io.isola.api.InheritedFds.class)
                .map(io.isola.api.InheritedFds::fds)
                .orElse(List.of())) {
            // the JVM may have marked it close-on-exec; the command must get it
            program.call(
                    CORE,
                    Step.call(
                            "keep fd " + fd + " open across exec",
                            LibcCall.FCNTL,
                            Arg.word(fd),
                            Arg.word(F_SETFD),
                            Arg.word(0)));
        }
        if (security.execLabel() != null) {
            // Here, and not last before the filter as runc does: the steps name the fd their
            // openat will get, the lowest one free, which only holds while exactly 0-2 and the kept
            // fds are open; an isolator's later step may leave one open (rootless lo's socket).
            // The attribute takes effect at execve whenever it is written.
            Set<Integer> open = new TreeSet<>(kept);
            open.addAll(List.of(0, 1, 2));
            security.execLabel().steps(open).forEach(step -> program.call(SecurityPlan.OWNER, step));
        }
        if (!exec.all().isEmpty()) {
            // user first, then the kernel's order; the caller sorted them
            for (JoinedNamespace join : exec.bySetns()) {
                program.call(
                        CORE,
                        Step.call(
                                "join the container's " + join.namespace().procName() + " namespace",
                                LibcCall.SETNS,
                                Arg.word(join.fd()),
                                Arg.word(join.namespace().cloneFlag())));
            }
            if (exec.spawns()) {
                // setns(pid) only affects children: the command runs in a new process
                program.spawn(CORE, "create the process inside the container's PID namespace");
                program.call(CORE, parentDeathSignal(SIGKILL));
            }
        }
        for (Namespace namespace : namespaces) {
            if (!namespace.creatableByClone()) {
                program.call(
                        CORE,
                        Step.call(
                                "create the " + namespace.procName() + " namespace",
                                LibcCall.UNSHARE,
                                Arg.word(namespace.cloneFlag())));
            }
        }
        io.isola.api.RootPropagation propagation =
                spec.extension(io.isola.api.RootPropagation.class).orElse(null);
        boolean fromHost = propagation != null && propagation.receivesFromHost();
        for (Phase phase : Phase.values()) {
            program.section("phase " + phase);
            if (phase == Phase.FILESYSTEM && namespaces.contains(Namespace.MOUNT)) {
                // a slave receives the host's later mounts and sends none back, as runc's default rslave
                program.call(
                        CORE,
                        Steps.mount(
                                fromHost ? "make / recursively a slave of the runtime's" : "make / recursively private",
                                null,
                                "/",
                                null,
                                Steps.MS_REC | (fromHost ? Steps.MS_SLAVE : Steps.MS_PRIVATE),
                                null));
                program.checkpoint(
                        CORE,
                        fromHost ? "mount propagation is one-way, from the host" : "mount propagation is private");
            }
            if (phase == Phase.LOCKDOWN && propagation != null && namespaces.contains(Namespace.MOUNT)) {
                // after the pivot: the container's own root
                program.call(
                        CORE,
                        Steps.mount("make the root " + propagation.mode(), null, "/", null, propagation.flags(), null));
            }
            for (Contribution contribution : contributions) {
                contribution.ops(phase).forEach(program::op);
            }
            if (phase == Phase.LOCKDOWN) {
                program.call(CORE, newSessionKeyring());
                spec.extension(io.isola.api.ProcessScheduling.class)
                        .ifPresent(
                                scheduling -> SchedulingSteps.of(scheduling).forEach(step -> program.call(CORE, step)));
                security.beforeIds().forEach(step -> program.call(SecurityPlan.OWNER, step));
                ProcessUserSteps.add(
                        program,
                        spec,
                        shape.joins().stream().anyMatch(join -> join.namespace() == Namespace.USER),
                        security.keepCapabilities());
                if (shape.nonDumpable()) {
                    program.call(CORE, nonDumpable());
                }
                security.afterIds().forEach(step -> program.call(SecurityPlan.OWNER, step));
            }
        }
        program.section("finish");
        // umask before the seccomp filter, which need not allow it
        spec.extension(ProcessAttributes.class)
                .flatMap(a -> java.util.Optional.ofNullable(a.umask()))
                .ifPresent(mask -> program.call(
                        CORE,
                        Step.call("set the umask to 0" + Integer.toOctalString(mask), LibcCall.UMASK, Arg.word(mask))));
        if (stdio.containerPty() != null) {
            // after the root and the lock-down (the terminal belongs to the process's user), before seccomp
            stdio.containerPty().steps(kept).forEach(step -> program.call(CORE, step));
        }
        // Always, as runc's init does: left in its caller's session, the command would keep the
        // caller's terminal as its controlling terminal, open it as /dev/tty and push keys into the
        // caller's shell with TIOCSTI (bubblewrap's CVE-2017-5226). Signals from that terminal reach
        // the container through the CLI's forwarding. A new process is never a process-group
        // leader, so setsid cannot fail with EPERM; before the filter, which need not allow it.
        program.call(CORE, Step.call("start a new session", LibcCall.SETSID));
        security.beforeGate().forEach(step -> program.call(SecurityPlan.OWNER, step));
        program.call(CORE, Steps.chdir(spec.cwd()));
        if (shape.terminal()) {
            program.call(
                    CORE,
                    Step.call(
                            "make the terminal the controlling terminal",
                            LibcCall.IOCTL,
                            Arg.word(0),
                            Arg.word(TIOCSCTTY),
                            Arg.word(0)));
        }
        program.gate();
        if (!shape.forked()) {
            program.call(CORE, parentDeathSignal(0));
        }
        List<String> envp = new ArrayList<>();
        spec.env().forEach((name, value) -> envp.add(name + "=" + value));
        return program.exec(candidates(spec.command().get(0), spec.env()), spec.command(), envp);
    }

    private static Step nonDumpable() {
        return Step.call(
                "make the process non-dumpable",
                LibcCall.PRCTL,
                Arg.word(PR_SET_DUMPABLE),
                Arg.word(0),
                Arg.word(0),
                Arg.word(0),
                Arg.word(0));
    }

    /**
     * A new anonymous session keyring, as runc's init and exec join one: the caller's would be the
     * container's to read (keys of a Kerberos or ecryptfs login) wherever its seccomp filter allows
     * keyctl. Anonymous, not named: a named one is joined if it exists, and the container could
     * make one under the name another container will ask for. While the child is still root (the
     * keyring is charged to root, not to the container's user) and before the filter, which denies
     * keyctl; ENOSYS: a kernel without keys, which has no keyring to leak either.
     */
    private static Step newSessionKeyring() {
        return Step.call(
                        "join a new session keyring",
                        LibcCall.SYSCALL,
                        Arg.word(SyscallNumbers.KEYCTL),
                        Arg.word(KEYCTL_JOIN_SESSION_KEYRING),
                        Arg.word(0))
                .tolerating("ENOSYS");
    }

    private static Step parentDeathSignal(int signal) {
        return Step.call(
                signal == 0 ? "clear the parent-death signal" : "set the parent-death signal",
                LibcCall.PRCTL,
                Arg.word(PR_SET_PDEATHSIG),
                Arg.word(signal));
    }

    /** close_range over every gap between the fds the child keeps (0-2 and the protocol pipes). */
    private static void closeInheritedFds(ChildProgram.Builder program, List<Integer> keptFds) {
        TreeSet<Integer> kept = new TreeSet<>(keptFds);
        int from = 3;
        for (int fd : kept) {
            if (fd < from) {
                continue;
            }
            if (fd > from) {
                program.call(CORE, closeRange(from, fd - 1));
            }
            from = fd + 1;
        }
        program.call(CORE, closeRange(from, Integer.MAX_VALUE));
    }

    private static Step closeRange(int first, int last) {
        String range = last == Integer.MAX_VALUE ? first + " and above" : first + "-" + last;
        return Step.call(
                "close inherited file descriptors " + range,
                LibcCall.CLOSE_RANGE,
                Arg.word(first),
                Arg.word(last & 0xffffffffL),
                Arg.word(0));
    }

    /**
     * The paths execve tries, as execvp would: the command itself when it has a slash, else each
     * PATH directory of the container's environment in order.
     */
    static List<String> candidates(String command, Map<String, String> env) {
        if (command.contains("/")) {
            return List.of(command);
        }
        Set<String> paths = new LinkedHashSet<>();
        for (String dir : env.getOrDefault("PATH", ContainerSpec.DEFAULT_PATH).split(":")) {
            if (!dir.isEmpty()) {
                paths.add(dir.endsWith("/") ? dir + command : dir + "/" + command);
            }
        }
        if (paths.isEmpty()) {
            throw new IllegalArgumentException(
                    "command \"" + command + "\": not a path, and the container's PATH has no directory to look in");
        }
        return List.copyOf(paths);
    }
}
