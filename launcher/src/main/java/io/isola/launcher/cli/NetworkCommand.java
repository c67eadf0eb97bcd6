package io.isola.launcher.cli;

import io.isola.api.IsolaException;
import io.isola.launcher.IsolaRuntime;
import io.isola.launcher.cli.format.ListFormat;
import io.isola.launcher.cli.format.Struct;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.StateStore;
import io.isola.spi.support.NetworkAdmin;
import io.isola.spi.support.NetworkInfo;
import io.isola.spi.support.NetworkRequest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code isola network create|ls|inspect|rm|prune|connect|disconnect}: Docker's user-defined
 * bridge networks, kept by the network plugin as CNI conflists in its configuration directory
 * ({@code configDir}, /etc/isola/net.d); thin, the work is the plugin's {@link NetworkAdmin}.
 */
@Command(
        name = "network",
        description = {
            "Manage networks: CNI conflists in the net plugin's configDir (/etc/isola/net.d),",
            "each with a bridge and a subnet of its own. Containers on the same user-defined network find each",
            "other by name and --network-alias (isola writes them into each other's /etc/hosts); the default",
            "network (--net bridge) resolves no names, as Docker's default bridge."
        },
        subcommands = {
            NetworkCommand.Create.class,
            NetworkCommand.Ls.class,
            NetworkInspectCommand.class,
            NetworkCommand.Rm.class,
            NetworkCommand.Prune.class,
            NetworkConnectCommand.class,
            NetworkDisconnectCommand.class
        })
final class NetworkCommand implements Runnable {

    @ParentCommand
    private IsolaCommand parent;

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        GroupUsage.show(spec);
    }

    StateStore containers() {
        return (parent == null ? new GlobalOptions() : parent.global()).store();
    }

    /** {@link #withAdmin} with the command line's {@code --config}. */
    <T> T admin(Work<T> work) {
        return withAdmin(parent == null ? null : parent.config(), work);
    }

    /** The container's name, else its id: how Docker's messages and inspect name it. */
    String nameOf(String id) {
        ContainerState state = containers().read(id);
        return state == null || state.name() == null ? id : state.name();
    }

    /** Work done with the network plugin's service: the framework is booted for it (a warm server lends its own). */
    interface Work<T> {
        T with(NetworkAdmin admin);
    }

    /** {@code config}: the command line's {@code --config} (null: none). */
    static <T> T withAdmin(Path config, Work<T> work) {
        try (IsolaRuntime runtime = IsolaRuntime.withIsolators(config, Set.of("net"))) {
            NetworkAdmin admin = runtime.service(NetworkAdmin.class)
                    .orElseThrow(
                            () -> new IsolaException(
                                    "the network plugin (ns-net) offers no network management; expected a plugin of this isola's version"));
            return work.with(admin);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Command(
            name = "create",
            description = {
                "Create a bridge network with a subnet of its own (default: a free /16 from",
                "10.77.0.0/16 to 10.99.0.0/16 that no other network or host route uses). Only the bridge driver."
            })
    static final class Create implements Callable<Integer> {
        @ParentCommand
        private NetworkCommand network;

        @Spec
        private CommandSpec spec;

        @Parameters(paramLabel = "NAME")
        private String name;

        @Option(
                names = {"-d", "--driver"},
                paramLabel = "DRIVER",
                description = "bridge, the only driver isola has.")
        private String driver = "bridge";

        @Option(names = "--subnet", paramLabel = "CIDR", description = "Its IPv4 subnet, such as 10.90.0.0/16.")
        private String subnet;

        @Option(
                names = "--gateway",
                paramLabel = "IP",
                description = "The bridge's address in the subnet (default: its first).")
        private String gateway;

        @Option(
                names = "--internal",
                description = "No route out and no masquerade: its containers reach each other only.")
        private boolean internal;

        @Option(names = "--label", paramLabel = "KEY=VALUE", description = "A label for the network.")
        private List<String> labels = new ArrayList<>();

        @Override
        public Integer call() {
            if (!driver.equals("bridge")) {
                throw new IllegalArgumentException(
                        "network driver \"" + driver + "\" is not supported by isola; expected bridge");
            }
            if (gateway != null && subnet == null) {
                throw new IllegalArgumentException("--gateway " + gateway + ": needs --subnet, as Docker's");
            }
            Map<String, String> parsed = NamedObjects.labels(labels);
            NetworkInfo created =
                    network.admin(admin -> admin.create(new NetworkRequest(name, subnet, gateway, internal, parsed)));
            spec.commandLine().getOut().println(created.id());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(
            name = "ls",
            aliases = "list",
            description = {
                "List networks. --filter name=TEXT, id=PREFIX, label=KEY[=VALUE];",
                "--format: table, json, 'table TEMPLATE' or a Go TEMPLATE ({{.ID}}, {{.Name}}, {{.Driver}}, {{.Scope}},",
                "{{.Internal}}, {{.Labels}}, {{.CreatedAt}})."
            })
    static final class Ls implements Callable<Integer> {
        @ParentCommand
        private NetworkCommand network;

        @Spec
        private CommandSpec spec;

        @Option(
                names = {"-q", "--quiet"},
                description = "Print network ids only.")
        private boolean quiet;

        @Option(
                names = {"-f", "--filter"},
                paramLabel = "KEY=VALUE",
                description = "name=TEXT, id=PREFIX, label=KEY[=VALUE].")
        private List<String> filters = new ArrayList<>();

        @Option(
                names = "--format",
                paramLabel = "FORMAT",
                description = "table, json, 'table TEMPLATE' or a Go TEMPLATE.")
        private String format;

        @Option(names = "--no-trunc", description = "Full network ids.")
        private boolean noTrunc;

        @Override
        public Integer call() {
            NetworkFilter filter = NetworkFilter.parse(filters);
            ListFormat list = ListFormat.parse(format); // a bad format is refused before the framework boots
            List<NetworkInfo> shown = network.admin(NetworkAdmin::list).stream()
                    .filter(filter::matches)
                    .toList();
            NamedObjects.list(
                    spec.commandLine().getOut(),
                    quiet,
                    list,
                    "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}",
                    shown,
                    n -> noTrunc ? n.id() : n.id().substring(0, 12),
                    this::row,
                    header());
            return 0;
        }

        private Struct row(NetworkInfo network) {
            return new Struct("network")
                    .with("ID", noTrunc ? network.id() : network.id().substring(0, 12))
                    .with("Name", network.name())
                    .with("Driver", "bridge")
                    .with("Scope", "local")
                    .with("IPv6", "false")
                    .with("Internal", Boolean.toString(network.internal()))
                    .with(
                            "Labels",
                            NamedObjects.joined(
                                    network.labels().entrySet().stream().sorted(Map.Entry.comparingByKey())))
                    .with("CreatedAt", network.created());
        }

        private static Struct header() {
            return new Struct("network")
                    .with("ID", "NETWORK ID")
                    .with("Name", "NAME")
                    .with("Driver", "DRIVER")
                    .with("Scope", "SCOPE")
                    .with("IPv6", "IPV6")
                    .with("Internal", "INTERNAL")
                    .with("Labels", "LABELS")
                    .with("CreatedAt", "CREATED");
        }
    }

    @Command(
            name = "rm",
            aliases = "remove",
            description = {
                "Remove networks: their conflist, bridge and leases; refused",
                "while a container is attached (naming it). The default network is written again on its next use."
            })
    static final class Rm implements Callable<Integer> {
        @ParentCommand
        private NetworkCommand network;

        @Spec
        private CommandSpec spec;

        @Option(
                names = {"-f", "--force"},
                description = "Do not fail for a network that does not exist.")
        private boolean force;

        @Parameters(arity = "1..*", paramLabel = "NETWORK")
        private List<String> names;

        @Override
        public Integer call() {
            network.admin(admin -> {
                NamedObjects.removeEach(names, spec.commandLine().getOut(), name -> {
                    NetworkInfo found = admin.find(name).orElse(null);
                    if (found == null) {
                        if (!force) {
                            throw new IllegalArgumentException("network " + name + " not found");
                        }
                        return false;
                    }
                    if (!found.containers().isEmpty()) {
                        throw new IllegalArgumentException("network " + name + " is in use by container "
                                + String.join(
                                        ", ",
                                        found.containers().keySet().stream()
                                                .map(network::nameOf)
                                                .toList())
                                + "; stop or remove it first");
                    }
                    admin.remove(name);
                    return true;
                });
                return null;
            });
            return 0;
        }
    }

    @Command(name = "prune", description = "Remove the user-defined networks no container uses; asks first unless -f.")
    static final class Prune implements Callable<Integer> {
        @ParentCommand
        private NetworkCommand network;

        @Spec
        private CommandSpec spec;

        @Option(
                names = {"-f", "--force"},
                description = "Do not ask.")
        private boolean force;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            if (!force
                    && !NamedObjects.confirmed(
                            out, "WARNING! This will remove all custom networks not used by at least one container.")) {
                return 0;
            }
            List<String> deleted = network.admin(admin -> {
                List<String> removed = new ArrayList<>();
                for (NetworkInfo network : admin.list()) {
                    if (!network.builtIn() && network.containers().isEmpty()) {
                        try {
                            admin.remove(network.name());
                            removed.add(network.name());
                        } catch (IllegalArgumentException raced) {
                            // a container was attached meanwhile: kept, as it is used
                        }
                    }
                }
                return removed;
            });
            NamedObjects.deleted(out, "Deleted Networks:", deleted);
            out.flush();
            return 0;
        }
    }
}
