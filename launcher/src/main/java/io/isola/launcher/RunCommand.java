package io.isola.launcher;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.ExitStatus;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code isola run}: one container in the foreground, its exit status as the CLI's. */
@Command(name = "run",
        sortOptions = false,
        description = {"Runs CMD in new namespaces and exits with its status (128+N if killed by signal N).",
            "The container sees the host's files with its own /proc; its environment holds PATH and the -e variables."})
final class RunCommand implements Callable<Integer> {

    /** The built-in isolators; which of them a container gets is configured (see conf/). */
    static final Set<String> DEFAULT_ISOLATORS = Set.of("uts", "ipc", "pid", "mount");

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    @Option(names = "--hostname", paramLabel = "NAME", description = "Host name inside the container.")
    private String hostname;

    @Option(names = "--domainname", paramLabel = "NAME", description = "NIS domain name inside the container.")
    private String domainname;

    // null: as the configuration says (conf/<pid>.cfg "enabled"); a flag overrides it for this run
    @Option(names = "--uts", negatable = true, description = "New UTS namespace (host and domain name); on by default.")
    private Boolean uts;

    @Option(names = "--ipc", negatable = true, description = "New IPC namespace (System V IPC, POSIX queues); on by default.")
    private Boolean ipc;

    @Option(names = "--pid", negatable = true, description = "New PID namespace, CMD is PID 1; on by default.")
    private Boolean pid;

    @Option(names = "--mount", negatable = true, description = "New mount namespace; on by default.")
    private Boolean mount;

    @ParentCommand
    private IsolaCommand parent;

    @Option(names = {"-e", "--env"}, paramLabel = "NAME[=VALUE]",
            description = "Set a variable; NAME alone passes the host's value, if any.")
    private List<String> env = new ArrayList<>();

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", defaultValue = "/",
            description = "Working directory inside the container (default: /).")
    private String workdir;

    @Option(names = "--id", paramLabel = "ID", description = "Container id (default: generated).")
    private String id;

    @Parameters(arity = "1..*", paramLabel = "CMD", description = "The command and its arguments.")
    private List<String> command;

    @Override
    public Integer call() throws InterruptedException {
        // validated before Felix boots: bad input costs nothing and never reaches the kernel
        spec(DEFAULT_ISOLATORS);
        try (IsolaRuntime isola = parent.runtime()) {
            ContainerSpec spec = spec(isola.defaultIsolators());
            try (Container container = isola.start(spec);
                    SignalForwarder signals = SignalForwarder.forward(container)) {
                ExitStatus status = container.waitFor();
                // not a static logger: picocli makes this class while parsing, before --debug
                // may have set the level that slf4j-simple reads when its first logger is made
                Logger log = LoggerFactory.getLogger(RunCommand.class);
                log.debug("container {} {}", container.id(), status);
                return status.shellCode();
            }
        }
    }

    /** The container this command line asks for, with the built-in defaults. */
    ContainerSpec spec() {
        return spec(DEFAULT_ISOLATORS);
    }

    /** The container this command line asks for. */
    ContainerSpec spec(Set<String> defaults) {
        Set<String> isolators = isolators(defaults);
        if (Boolean.FALSE.equals(uts)) {
            requireUnset("--hostname", hostname);
            requireUnset("--domainname", domainname);
        }
        ContainerSpec.Builder builder = ContainerSpec.builder(command)
                .cwd(workdir)
                .hostname(hostname)
                .domainname(domainname)
                .isolators(isolators)
                .id(id);
        env.forEach(entry -> addEnv(builder, entry));
        return builder.build();
    }

    /** The configured defaults with this run's --NAME and --no-NAME flags applied. */
    private Set<String> isolators(Set<String> defaults) {
        Map<String, Boolean> flags = new LinkedHashMap<>();
        flags.put("uts", uts);
        flags.put("ipc", ipc);
        flags.put("pid", pid);
        flags.put("mount", mount);
        Set<String> names = new LinkedHashSet<>(defaults);
        flags.forEach((name, on) -> {
            if (Boolean.TRUE.equals(on)) {
                names.add(name);
            } else if (Boolean.FALSE.equals(on)) {
                names.remove(name);
            }
        });
        return names;
    }

    private static void requireUnset(String option, String value) {
        if (value != null) {
            // without a UTS namespace the name would be set on the host
            throw new IllegalArgumentException(option + " \"" + value + "\": needs a UTS namespace; drop --no-uts");
        }
    }

    /** docker's rule: NAME=VALUE sets, NAME alone copies the host's value and is skipped when unset. */
    private static void addEnv(ContainerSpec.Builder builder, String entry) {
        int eq = entry.indexOf('=');
        if (eq == 0 || entry.isEmpty()) {
            throw new IllegalArgumentException("environment \"" + entry + "\": expected NAME=VALUE or NAME");
        }
        if (eq > 0) {
            builder.env(entry.substring(0, eq), entry.substring(eq + 1));
            return;
        }
        String hostValue = System.getenv(entry);
        if (hostValue != null) {
            builder.env(entry, hostValue);
        }
    }
}
