package io.isola.internal.launch;

import io.isola.api.ConsoleSocket;
import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.DeferredStart;
import io.isola.api.InheritedFds;
import io.isola.api.IsolaException;
import io.isola.api.Join;
import io.isola.api.NamespacePaths;
import io.isola.api.SharedNamespaces;
import io.isola.api.Terminal;
import io.isola.internal.chain.ChildProgram;
import io.isola.internal.chain.CloneThreads;
import io.isola.internal.nativ.Dumpability;
import io.isola.internal.nativ.Syscalls;
import io.isola.internal.security.SecurityPlan;
import io.isola.internal.security.SecurityPolicy;
import io.isola.spi.ContainerBind;
import io.isola.spi.Duty;
import io.isola.spi.Isolation;
import io.isola.spi.IsolationRequest;
import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;
import io.isola.spi.support.HostIdentity;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts containers: selects the spec's isolators, lets each prepare its isolation, composes the
 * clone flags and the child program in the kernel's namespace order, runs the {@link Launch} and
 * hands back the container, or releases everything prepared when anything fails.
 */
public final class Orchestrator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Orchestrator.class);
    private static final Comparator<NamespaceIsolator> KERNEL_ORDER = Comparator.comparing(
                    (NamespaceIsolator isolator) -> isolator.namespace().ordinal())
            .thenComparing(NamespaceIsolator::name);

    private final Supplier<? extends Collection<? extends NamespaceIsolator>> source;
    private final Set<String> defaults;
    private final Syscalls host;
    private final ChildCloner cloner;
    private final Launch.Runner runner;
    private final Set<Container> running = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public Orchestrator(Supplier<? extends Collection<? extends NamespaceIsolator>> source, Set<String> defaults) {
        this(source, defaults, Syscalls.linux(), new ThreadCloner(new CloneThreads()), Launch.Runner.REAL);
    }

    /** With {@code host}'s calls and {@code runner}'s launches: a test's fakes, or the real ones. */
    Orchestrator(
            Supplier<? extends Collection<? extends NamespaceIsolator>> source,
            Set<String> defaults,
            Syscalls host,
            Launch.Runner runner) {
        this(source, defaults, host, new ThreadCloner(new CloneThreads()), runner);
    }

    /** With {@code cloner}'s children as well: a test's scripted child runs the whole launch. */
    Orchestrator(
            Supplier<? extends Collection<? extends NamespaceIsolator>> source,
            Set<String> defaults,
            Syscalls host,
            ChildCloner cloner,
            Launch.Runner runner) {
        this.source = source;
        this.defaults = defaults;
        this.host = host;
        this.cloner = cloner;
        this.runner = runner;
    }

    public List<NamespaceIsolator> availableIsolators() {
        List<NamespaceIsolator> available = new ArrayList<>(source.get());
        available.sort(KERNEL_ORDER);
        return available;
    }

    public Container start(ContainerSpec spec) {
        if (closed) {
            throw new IsolaException("the runtime is closed");
        }
        Join join = spec.extension(Join.class).orElse(null);
        DeferredStart deferred = spec.extension(DeferredStart.class).orElse(null);
        if (join != null && deferred != null) {
            throw new IllegalArgumentException("a process that joins a running container cannot have a deferred start");
        }
        NamespacePaths paths = spec.extension(NamespacePaths.class).orElse(null);
        Set<Namespace> joined = EnumSet.noneOf(Namespace.class);
        if (paths != null) {
            paths.paths().keySet().forEach(name -> joined.add(PathJoins.namespace(name)));
        }
        Set<Namespace> shared = EnumSet.noneOf(Namespace.class);
        spec.extension(SharedNamespaces.class)
                .ifPresent(s -> s.names().forEach(name -> shared.add(PathJoins.namespace(name))));
        NamespaceOwnership ownership = NamespaceOwnership.of(
                join != null ? List.of() : select(spec),
                joined,
                shared,
                spec.isolators().isPresent());
        List<NamespaceIsolator> selected = ownership.isolators();
        Set<Namespace> namespaces = ownership.created();
        if (!namespaces.contains(Namespace.UTS)
                && !joined.contains(Namespace.UTS)
                && (spec.hostname().isPresent() || spec.domainname().isPresent())) {
            throw new IllegalArgumentException(
                    "hostname \"" + spec.hostname().or(spec::domainname).orElseThrow()
                            + "\": a host or domain name needs a UTS namespace, which this container does not have");
        }
        StartupTrace.mark("orchestrator");
        RootChroot chroot = RootChroot.of(spec, namespaces, joined);
        NamespacesAfterJoin afterJoin = NamespacesAfterJoin.of(
                joined,
                namespaces,
                spec.extension(io.isola.api.TimeNamespace.class).isPresent());
        InheritedFds inherited = spec.extension(InheritedFds.class).orElse(null);
        if (inherited != null) {
            inherited.requireOpen();
        }
        String id = spec.id().orElseGet(Orchestrator::newId);
        Set<Duty> duties = ownership.duties();
        Set<Namespace> visible = EnumSet.copyOf(namespaces.isEmpty() ? EnumSet.noneOf(Namespace.class) : namespaces);
        for (Namespace namespace : joined) {
            // the isolators see a namespace of the container's own: it is not the host's. Not a joined
            // mount namespace: what an isolator would mount there (proc, /etc files) changes another's
            if (namespace != Namespace.MOUNT) {
                visible.add(namespace);
            }
        }
        boolean hostNetwork = HostNetwork.shared(namespaces, paths, join, host);
        HostNetwork.requireNamespaceFor(spec, hostNetwork);
        SecurityPlan planned =
                SecurityPolicy.plan(spec, hostNetwork, host); // checks the settings before anything exists
        IsolationRequest request = new Request(id, spec, visible, namespaces, duties, new BindRequests());

        List<PreparedIsolation> prepared = new ArrayList<>();
        StdioPlan stdio = null;
        List<ProgramComposer.JoinedNamespace> joins = List.of();
        int hostProc = -1;
        RemoteClone remote = spec.extension(RemoteClone.class).orElse(null);
        try {
            if (planned.execLabel() != null) {
                // the child's way to its own AppArmor or SELinux attribute; it holds a copy from the clone on
                hostProc = host.openHostProc();
                hostProc = remote != null ? RemoteClones.lift(host, hostProc, remote) : hostProc;
            }
            SecurityPlan security = hostProc < 0
                    ? planned
                    : planned.withExecLabel(planned.execLabel().through(hostProc));
            if (join != null) {
                JoinedProcess target = JoinedProcess.read(join, host);
                joins = target.namespaces();
                if (remote != null) {
                    List<ProgramComposer.JoinedNamespace> opened = joins;
                    joins = List.of(); // liftAll closes them all when it fails
                    joins = RemoteClones.liftAll(host, opened, remote);
                }
                prepared.add(new PreparedIsolation(CgroupJoin.OWNER, target.cgroups()));
            }
            List<Contribution> contributions = new ArrayList<>();
            PathJoins pathJoins = null;
            if (paths != null) {
                pathJoins = PathJoins.open(paths, spec);
                prepared.add(new PreparedIsolation(PathJoins.OWNER, pathJoins));
                Contribution contribution = new Contribution(PathJoins.OWNER.name());
                pathJoins.contribute(contribution);
                if (afterJoin != null) {
                    afterJoin.contribute(contribution, deferred != null);
                }
                contributions.add(contribution); // first: every isolator's steps run in the joined namespaces
            }
            if (chroot != null) {
                prepared.add(new PreparedIsolation(RootChroot.OWNER, chroot));
                Contribution contribution = new Contribution(RootChroot.OWNER.name());
                chroot.contribute(contribution);
                contributions.add(contribution);
            }
            KernelSettings kernel = KernelSettings.of(spec, namespaces, pathJoins);
            if (kernel != null) {
                prepared.add(new PreparedIsolation(KernelSettings.OWNER, kernel));
            }
            GateFifos fifos = deferred != null ? new GateFifos(deferred.stateDir(), host).create() : null;
            ProgramComposer.Shape shape = new ProgramComposer.Shape(
                    deferred != null,
                    joins,
                    spec.extension(Terminal.class).isPresent()
                            || spec.extension(ConsoleSocket.class).isPresent(),
                    Dumpability.required(host),
                    remote != null);
            for (NamespaceIsolator isolator : selected) {
                PreparedIsolation isolation = prepare(isolator, request);
                prepared.add(isolation);
                Contribution contribution = new Contribution(isolator.name());
                isolation.isolation().contribute(contribution);
                contributions.add(contribution);
            }
            StartupTrace.mark("prepared");
            stdio = StdioPlan.open(spec, host);
            StdioPlan plan = stdio;
            List<Integer> travelling = List.of();
            if (remote != null) {
                plan.liftChildFds(fd -> RemoteClones.lift(host, fd, remote));
                travelling = RemoteClones.travelling(joins, plan, hostProc);
            }
            List<Integer> signals = HostSignals.nonDefault(host, remote);
            Launch.ProgramFactory programs = protocolFds -> {
                List<Integer> kept = new ArrayList<>(protocolFds);
                contributions.forEach(contribution -> kept.addAll(contribution.keptFds()));
                if (inherited != null) {
                    for (int fd : kept) {
                        if (inherited.fds().contains(fd)) { // it was open when checked: something closed it since
                            throw new IsolaException(
                                    "preserved fd " + fd + " was closed while the container was set up");
                        }
                    }
                    kept.addAll(inherited.fds());
                }
                if (remote != null) {
                    // an AppArmor or SELinux label's /proc travels with the plan (RemoteClones.lift):
                    // not a foreign fd of this process
                    RemoteClones.requirePlannable(kept, protocolFds, plan);
                }
                ChildProgram program =
                        ProgramComposer.compose(spec, namespaces, contributions, plan, kept, signals, security, shape);
                LOG.debug(
                        "container {}: {} ops, namespaces {}", id, program.ops().size(), namespaces);
                StartupTrace.mark("composed");
                return program;
            };
            Launch.Started started = runner.run(
                    new Launch(
                            spec,
                            prepared,
                            host,
                            cloner,
                            afterJoin != null ? 0 : cloneFlags(namespaces), // the child creates them
                            fifos,
                            pathJoins,
                            new ExecJoins(joins, remote != null),
                            travelling),
                    programs,
                    stdio);
            StartupTrace.mark("launched");
            LaunchedContainer container =
                    new LaunchedContainer(id, started.process(), started.stdio(), prepared, running::remove);
            stdio.close(); // only what the container did not take
            if (deferred != null) {
                // its lifecycle goes on in other processes (start, kill, delete): never killed on
                // close, nor its isolations closed here; what this process holds for it goes now
                handOverAll(prepared);
                container.detach();
                LOG.info("created container {} (pid {}), waiting at its gate", id, container.pid());
                return container;
            }
            running.add(container);
            LOG.info(
                    "started {} {} (pid {})", join != null ? "process in container" : "container", id, container.pid());
            return container;
        } catch (RuntimeException | Error e) {
            if (stdio != null) {
                stdio.close();
            }
            closeAll(prepared);
            throw e;
        } finally {
            NamespaceJoins.closeAll(joins, host);
            host.closeQuietly(hostProc);
        }
    }

    private static PreparedIsolation prepare(NamespaceIsolator isolator, IsolationRequest request) {
        try {
            Isolation isolation = isolator.prepare(request);
            if (isolation == null) {
                throw new IsolaException("isolator \"" + isolator.name() + "\" prepared nothing (null isolation)");
            }
            return new PreparedIsolation(isolator, isolation);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            throw isolatorFailure(new PreparedIsolation(isolator, null), "prepare", e);
        }
    }

    /** The isolators a spec asks for, checked and in the kernel's order. */
    private List<NamespaceIsolator> select(ContainerSpec spec) {
        List<NamespaceIsolator> available = availableIsolators();
        Set<String> wanted = spec.isolators()
                .orElseGet(() -> defaults != null
                        ? defaults
                        : available.stream().map(NamespaceIsolator::name).collect(Collectors.toSet()));
        List<NamespaceIsolator> selected = new ArrayList<>();
        for (String name : wanted) {
            NamespaceIsolator match = available.stream()
                    .filter(i -> i.name().equals(name))
                    .findFirst()
                    .orElse(null);
            if (match != null && !match.appliesTo(spec)) {
                LOG.debug(
                        "isolator {} does not apply: the container shares the host's {} namespace",
                        name,
                        match.namespace().procName());
            } else if (match != null) {
                selected.add(match);
            } else if (spec.isolators().isPresent()) {
                throw new IllegalArgumentException("isolator \"" + name + "\": not available; available are "
                        + available.stream().map(NamespaceIsolator::name).collect(Collectors.joining(", ")));
            } else {
                LOG.debug("default isolator {} is not available", name);
            }
        }
        selected = UserNamespaceSelection.apply(
                spec, selected, available, spec.isolators().isEmpty() && defaults == null, hostIdentity());
        selected.sort(KERNEL_ORDER);
        for (int i = 1; i < selected.size(); i++) {
            NamespaceIsolator previous = selected.get(i - 1), current = selected.get(i);
            if (previous.namespace() == current.namespace()) {
                throw new IllegalArgumentException("isolators \"" + previous.name() + "\" and \"" + current.name()
                        + "\" both create the " + current.namespace().procName() + " namespace; select one");
            }
        }
        return selected;
    }

    /**
     * {@link HostIdentity#current()} from the kernel rather than from {@code /proc/self/status}:
     * it is asked on every start, and parsing procfs cost a start ~0.3 ms of a warm JVM's time
     * (several times that before the JIT has compiled the parser).
     */
    private HostIdentity hostIdentity() {
        return new HostIdentity(Integer.toUnsignedLong(host.geteuid()), Integer.toUnsignedLong(host.getegid()));
    }

    private static int cloneFlags(Set<Namespace> namespaces) {
        int flags = 0;
        for (Namespace namespace : namespaces) {
            if (namespace.creatableByClone()) {
                flags |= namespace.cloneFlag();
            }
        }
        return flags;
    }

    static IsolaException isolatorFailure(PreparedIsolation prepared, String stage, Exception cause) {
        String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        return new IsolaException("isolator \"" + prepared.name() + "\" failed in " + stage + ": " + message, cause);
    }

    /** Closes isolations in reverse order of preparation; one failing does not stop the others. */
    static void closeAll(List<PreparedIsolation> prepared) {
        for (int i = prepared.size() - 1; i >= 0; i--) {
            PreparedIsolation isolation = prepared.get(i);
            try {
                isolation.isolation().close();
            } catch (Exception e) {
                LOG.warn("isolator {} failed to clean up: {}", isolation.name(), e.toString());
            }
        }
    }

    private static void handOverAll(List<PreparedIsolation> prepared) {
        for (PreparedIsolation isolation : prepared) {
            try {
                isolation.isolation().handOver();
            } catch (Exception e) {
                LOG.warn("isolator {} failed to hand the container over: {}", isolation.name(), e.toString());
            }
        }
    }

    private static String newId() {
        byte[] bytes = new byte[6];
        ThreadLocalRandom.current().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public void close() {
        closed = true;
        for (Container container : List.copyOf(running)) {
            container.close();
        }
        cloner.close();
    }

    private record Request(
            String containerId,
            ContainerSpec spec,
            Set<Namespace> namespaces,
            Set<Namespace> created,
            Set<Duty> duties,
            BindRequests binds)
            implements IsolationRequest {
        @Override
        public boolean selected(Namespace namespace) {
            return namespaces.contains(namespace);
        }

        @Override
        public boolean creates(Namespace namespace) {
            return created.contains(namespace);
        }

        @Override
        public boolean provided(Duty duty) {
            return duties.contains(duty);
        }

        @Override
        public void requestBind(ContainerBind bind) {
            if (!duties.contains(Duty.BIND_REQUESTS)) {
                throw new IllegalStateException(bind.what() + ": no isolator of this container takes bind requests");
            }
            binds.add(bind);
        }

        @Override
        public List<ContainerBind> requestedBinds() {
            return binds.read();
        }
    }
}
