package io.isola.launcher.cli;

import io.isola.api.ConsoleSocket;
import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.ExitStatus;
import io.isola.api.Security;
import io.isola.api.Stdio;
import io.isola.internal.launch.RemoteClone;
import io.isola.launcher.IsolaRuntime;
import io.isola.launcher.cli.oci.OciProcess;
import io.isola.launcher.cli.run.Attachment;
import io.isola.launcher.cli.run.Environment;
import io.isola.launcher.cli.run.ExecUser;
import io.isola.launcher.cli.run.SignalForwarder;
import io.isola.launcher.client.ServerStarter;
import io.isola.launcher.server.Invocation;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Lifecycle;
import io.isola.lifecycle.SavedSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code isola exec [-it] [-e] [-w] ID CMD...}: a new process inside a running container, in its
 * namespaces (user first) and cgroups; it exits with the process's status.
 */
@Command(name = "exec", sortOptions = false, description = "Run a command inside a running container.")
final class ExecCommand implements Callable<Integer> {

    @ParentCommand
    private IsolaCommand parent;

    @Option(
            names = {"-i", "--interactive"},
            description = "Connect stdin.")
    private boolean interactive;

    @Option(
            names = {"-t", "--tty"},
            description = "Give the process a pseudo-terminal.")
    private boolean tty;

    @Option(
            names = {"-d", "--detach"},
            description = "Do not wait for the process; print its pid.")
    private boolean detach;

    @Option(
            names = {"-e", "--env"},
            paramLabel = "NAME[=VALUE]",
            description = "Set a variable (added to the container's).")
    private List<String> env = new ArrayList<>();

    @Option(
            names = {"-w", "--workdir"},
            paramLabel = "DIR",
            description = "Working directory (default: the container's).")
    private String workdir;

    @Option(
            names = {"-u", "--user"},
            paramLabel = "USER[:GROUP]",
            description = "Run CMD as this user and group, names (from the container's /etc/passwd and /etc/group) "
                    + "or numbers (default: the container's own, as run --user gave it).")
    private String user;

    @Parameters(index = "0", paramLabel = "ID")
    private String id;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "CMD")
    private List<String> command = new ArrayList<>();

    @Option(
            names = {"-p", "--process"},
            paramLabel = "FILE",
            description = "OCI: the process to run, as a process.json (instead of CMD).")
    private Path processFile;

    @Option(
            names = "--console-socket",
            paramLabel = "SOCKET",
            description =
                    "OCI: AF_UNIX socket that receives the master of the process's terminal (process.terminal true).")
    private Path consoleSocket;

    @Option(names = "--pid-file", paramLabel = "FILE", description = "OCI: write the new process's pid to FILE.")
    private Path pidFile;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Invocation invocation = Invocation.current();
        // an engine's exec (conmon's, the shim's) must be the engine's child, which it reaps; a
        // detached one would be the server's, which nothing waits for. A thin client's (issue 17)
        // is planned here and cloned by the client, in the engine's tree.
        boolean enginesOwn = processFile != null || pidFile != null || consoleSocket != null || detach;
        RemoteClone cloner = invocation == null ? null : invocation.cloner();
        boolean thin = cloner != null && processFile != null && detach && consoleSocket == null;
        if (invocation != null && enginesOwn && !thin) {
            throw new Invocation.NotServed(
                    "exec with --process, --pid-file, --console-socket or -d runs in the caller's process");
        }
        if (invocation == null && !enginesOwn) {
            ServerStarter.startIfNone(System.getenv()); // in the background: the next exec is served
        }
        Lifecycle lifecycle = new Lifecycle(parent.global().store());
        ContainerState state = lifecycle.get(id);
        if (processFile != null && !command.isEmpty()) {
            throw new IllegalArgumentException("exec: give either --process or CMD, not both");
        }
        if (processFile == null && command.isEmpty()) {
            throw new IllegalArgumentException("exec: missing CMD (or --process FILE)");
        }
        if (consoleSocket != null && processFile == null && !tty) {
            throw new IllegalArgumentException(
                    "--console-socket \"" + consoleSocket + "\": needs -t, or --process with process.terminal");
        }
        ContainerSpec.Builder builder = processFile != null
                ? OciProcess.load(processFile, parent.global().store().dir(state.id()), state.bundle(), consoleSocket)
                : ContainerSpec.builder(command);
        if (consoleSocket != null && processFile == null) {
            builder.with(new ConsoleSocket(consoleSocket.toAbsolutePath())); // runc's exec -t --console-socket S ID CMD
        }
        // with a console socket the engine holds the terminal: -t (conmon passes it with --process) asks nothing more
        boolean attach = tty && consoleSocket == null;
        // a process.json brings its own env and cwd; a CMD gets the container's, as docker exec does
        if (processFile == null && state.isola() != null && state.isola().spec() != null) {
            if (state.isola().spec().env() != null) {
                builder.env(state.isola().spec().env());
            }
            builder.cwd(
                    state.isola().spec().cwd() == null
                            ? "/"
                            : state.isola().spec().cwd());
        }
        if (processFile == null && state.isola() != null && state.isola().spec() != null) {
            // the container's confinement, as docker exec gives it: none would be a way out of it
            SavedSpec saved = state.isola().spec();
            if (saved.appArmorProfile() != null || saved.selinuxLabel() != null) {
                builder.with(Security.builder()
                        .appArmorProfile(saved.appArmorProfile())
                        .selinuxLabel(saved.selinuxLabel())
                        .build());
            }
        }
        if (workdir != null) {
            builder.cwd(workdir);
        }
        env.forEach(entry -> Environment.add(builder, entry));
        if (user != null) {
            if (processFile != null) {
                throw new IllegalArgumentException("--user \"" + user + "\": the --process file gives the user");
            }
            builder.with(ExecUser.resolve(user, state.process()));
        } else if (processFile == null
                && state.isola() != null
                && state.isola().spec() != null
                && state.isola().spec().user() != null) {
            builder.with(state.isola().spec().user()); // the container's own, as docker exec runs
        }
        if (attach) {
            builder.with(Attachment.initialSize());
        } else if (!interactive && !tty) {
            builder.stdin(Stdio.NULL);
        }
        // an engine's detached exec (--process) hands the process our stdio, which are its pipes, as runc does
        boolean engine = processFile != null;
        if (detach && !engine) {
            builder.stdin(Stdio.NULL).stdout(Stdio.NULL).stderr(Stdio.NULL);
        }
        if (thin) {
            builder.with(cloner); // the process gets the client's own streams, as an in-process exec's
        } else if (invocation != null && !attach) {
            // the client's own streams, which the server took over, as a served run's
            builder.stdout(new Stdio.Fd(invocation.stdio(1))).stderr(new Stdio.Fd(invocation.stdio(2)));
            if (interactive) {
                builder.stdin(new Stdio.Fd(invocation.stdio(0)));
            }
        }
        ContainerSpec execSpec = lifecycle.execSpec(state.id(), builder);
        try (IsolaRuntime runtime = IsolaRuntime.bare()) {
            if (invocation != null) {
                invocation.holdSignals(); // the client's Ctrl-C while the process starts is the process's
            }
            Container process;
            try {
                process = runtime.isola().start(execSpec);
            } catch (RemoteClone.Unsupported e) {
                throw new Invocation.NotServed(e.getMessage()); // nothing was started
            }
            if (pidFile != null) {
                Files.writeString(pidFile, Long.toString(process.pid()));
            }
            if (detach) {
                process.detach();
                if (!engine) {
                    spec.commandLine().getOut().println(process.pid());
                    spec.commandLine().getOut().flush();
                }
                process.close();
                return 0;
            }
            try (process;
                    SignalForwarder signals = SignalForwarder.forward(process);
                    Attachment attachment = attach ? Attachment.attach(process, interactive) : null) {
                ExitStatus status = process.waitFor();
                if (attachment != null) {
                    attachment.drain();
                }
                return status.shellCode();
            }
        }
    }
}
