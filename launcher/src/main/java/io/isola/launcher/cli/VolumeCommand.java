package io.isola.launcher.cli;

import io.isola.launcher.cli.format.InspectOutput;
import io.isola.launcher.cli.format.ListFormat;
import io.isola.launcher.cli.format.Struct;
import io.isola.launcher.volume.VolumeName;
import io.isola.launcher.volume.VolumeRecord;
import io.isola.launcher.volume.VolumeStore;
import io.isola.lifecycle.StateStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code isola volume create|ls|inspect|rm|prune}: Docker's local volumes, kept in the image
 * store ({@code ISOLA_ROOT/volumes}); thin, the work is in {@link VolumeStore}.
 */
@Command(
        name = "volume",
        description = "Manage volumes (ISOLA_ROOT/volumes, default /var/lib/isola/volumes).",
        subcommands = {
            VolumeCommand.Create.class,
            VolumeCommand.Ls.class,
            VolumeCommand.Inspect.class,
            VolumeCommand.Rm.class,
            VolumeCommand.Prune.class
        })
final class VolumeCommand implements Runnable {

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

    /** Docker's fields of a volume, in Docker's order. */
    static Map<String, Object> inspected(VolumeStore store, VolumeRecord volume) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("CreatedAt", volume.createdAt());
        fields.put("Driver", "local");
        fields.put("Labels", volume.labels());
        fields.put("Mountpoint", store.data(volume.name()).toString());
        fields.put("Name", volume.name());
        fields.put("Options", null);
        fields.put("Scope", "local");
        return fields;
    }

    @Command(
            name = "create",
            description = "Create a volume (no NAME: a random one); an existing one is left as it is.")
    static final class Create implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Parameters(arity = "0..1", paramLabel = "NAME")
        private String name;

        @Option(names = "--name", paramLabel = "NAME", description = "The name, as the argument gives it.")
        private String nameOption;

        @Option(
                names = {"-d", "--driver"},
                paramLabel = "DRIVER",
                description = "local, the only driver isola has.")
        private String driver = "local";

        @Option(names = "--label", paramLabel = "KEY=VALUE", description = "A label for the volume.")
        private List<String> labels = new ArrayList<>();

        @Option(
                names = {"-o", "--opt"},
                paramLabel = "KEY=VALUE",
                description = "Not supported by isola (the local driver's mount options).")
        private List<String> options = new ArrayList<>();

        @Override
        public Integer call() {
            if (!driver.equals("local")) {
                throw new IllegalArgumentException(
                        "volume driver \"" + driver + "\" is not supported by isola; expected local");
            }
            if (!options.isEmpty()) {
                throw new IllegalArgumentException(
                        "--opt \"" + options.get(0) + "\" is not supported by isola (its volumes are"
                                + " directories of the store, mounted with no options)");
            }
            if (name != null && nameOption != null && !name.equals(nameOption)) {
                throw new IllegalArgumentException(
                        "volume name \"" + name + "\" and --name \"" + nameOption + "\": expected one name");
            }
            String chosen = name != null
                    ? name
                    : nameOption != null
                            ? nameOption
                            : VolumeName.anonymous(UUID.randomUUID().toString(), "/");
            VolumeRecord volume = VolumeStore.fromEnvironment().create(chosen, NamedObjects.labels(labels));
            spec.commandLine().getOut().println(volume.name());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(
            name = "ls",
            aliases = "list",
            description = {
                "List volumes. --filter dangling=true|false, name=TEXT,",
                "label=KEY[=VALUE]; --format: table, json, 'table TEMPLATE' or a Go TEMPLATE with Docker's fields",
                "({{.Name}}, {{.Driver}}, {{.Mountpoint}}, {{.Labels}}, {{.Scope}}, {{.CreatedAt}})."
            })
    static final class Ls implements Callable<Integer> {
        @ParentCommand
        private VolumeCommand volume;

        @Spec
        private CommandSpec spec;

        @Option(
                names = {"-q", "--quiet"},
                description = "Print volume names only.")
        private boolean quiet;

        @Option(
                names = {"-f", "--filter"},
                paramLabel = "KEY=VALUE",
                description = "dangling=true|false, name=TEXT, label=KEY[=VALUE].")
        private List<String> filters = new ArrayList<>();

        @Option(
                names = "--format",
                paramLabel = "FORMAT",
                description = "table, json, 'table TEMPLATE' or a Go TEMPLATE.")
        private String format;

        @Override
        public Integer call() {
            VolumeStore store = VolumeStore.fromEnvironment();
            VolumeFilter filter = VolumeFilter.parse(filters);
            List<VolumeRecord> shown = store.list().stream()
                    .filter(v -> filter.matches(
                            v, () -> !store.users(v.name(), volume.containers()).isEmpty()))
                    .toList();
            NamedObjects.list(
                    spec.commandLine().getOut(),
                    quiet,
                    quiet ? null : ListFormat.parse(format),
                    "table {{.Driver}}\t{{.Name}}",
                    shown,
                    VolumeRecord::name,
                    v -> row(store, v),
                    header());
            return 0;
        }

        private static Struct row(VolumeStore store, VolumeRecord volume) {
            Map<String, String> labels = volume.labels() == null ? Map.of() : volume.labels();
            return new Struct("volume")
                    .with("Name", volume.name())
                    .with("Driver", "local")
                    .with("Scope", "local")
                    .with("Mountpoint", store.data(volume.name()).toString())
                    .with("CreatedAt", volume.createdAt())
                    .with("Labels", NamedObjects.joined(labels.entrySet().stream()))
                    .with("Size", "N/A")
                    .with("Links", "N/A");
        }

        private static Struct header() {
            return new Struct("volume")
                    .with("Name", "VOLUME NAME")
                    .with("Driver", "DRIVER")
                    .with("Scope", "SCOPE")
                    .with("Mountpoint", "MOUNTPOINT")
                    .with("CreatedAt", "CREATED")
                    .with("Labels", "LABELS")
                    .with("Size", "SIZE")
                    .with("Links", "LINKS");
        }
    }

    @Command(
            name = "inspect",
            description = "Show volumes as JSON (Docker's fields); -f: json or a Go template, once per volume.")
    static final class Inspect implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Mixin
        private InspectFormat format;

        @Parameters(arity = "1..*", paramLabel = "NAME")
        private List<String> names;

        @Override
        public Integer call() throws IOException {
            InspectOutput output = format.output();
            VolumeStore store = VolumeStore.fromEnvironment();
            List<Map<String, Object>> volumes = new ArrayList<>();
            for (String name : names) {
                volumes.add(inspected(store, store.get(name)));
            }
            output.print(spec.commandLine().getOut(), volumes);
            return 0;
        }
    }

    @Command(
            name = "rm",
            aliases = "remove",
            description = {
                "Remove volumes; refused for a volume a container (running or",
                "stopped) uses. -f: a missing volume is not an error."
            })
    static final class Rm implements Callable<Integer> {
        @ParentCommand
        private VolumeCommand volume;

        @Spec
        private CommandSpec spec;

        @Option(
                names = {"-f", "--force"},
                description = "Do not fail for a volume that does not exist.")
        private boolean force;

        @Parameters(arity = "1..*", paramLabel = "NAME")
        private List<String> names;

        @Override
        public Integer call() {
            VolumeStore store = VolumeStore.fromEnvironment();
            StateStore containers = volume.containers();
            NamedObjects.removeEach(names, spec.commandLine().getOut(), name -> {
                if (force && store.find(name).isEmpty()) {
                    return false;
                }
                store.remove(name, containers);
                return true;
            });
            return 0;
        }
    }

    @Command(
            name = "prune",
            description = {
                "Remove the anonymous volumes no container uses (-a: every volume no container",
                "uses); asks first unless -f. --filter label=KEY[=VALUE]."
            })
    static final class Prune implements Callable<Integer> {
        @ParentCommand
        private VolumeCommand volume;

        @Spec
        private CommandSpec spec;

        @Option(
                names = {"-a", "--all"},
                description = "Named volumes too.")
        private boolean all;

        @Option(
                names = {"-f", "--force"},
                description = "Do not ask.")
        private boolean force;

        @Option(names = "--filter", paramLabel = "label=KEY[=VALUE]", description = "Only volumes with this label.")
        private List<String> filters = new ArrayList<>();

        @Override
        public Integer call() throws IOException {
            VolumeFilter filter = VolumeFilter.parse(filters);
            PrintWriter out = spec.commandLine().getOut();
            if (!force
                    && !NamedObjects.confirmed(
                            out,
                            all
                                    ? "WARNING! This will remove all local volumes not used by at least one container."
                                    : "WARNING! This will remove anonymous local volumes not used by at least one container.")) {
                return 0;
            }
            VolumeStore store = VolumeStore.fromEnvironment();
            StateStore containers = volume.containers();
            List<String> deleted = new ArrayList<>();
            long reclaimed = 0;
            for (VolumeRecord candidate : store.list()) {
                if ((all || candidate.anonymous())
                        && filter.matches(candidate, () -> false)
                        && store.users(candidate.name(), containers).isEmpty()) {
                    try {
                        reclaimed += store.remove(candidate.name(), containers);
                        deleted.add(candidate.name());
                    } catch (VolumeStore.VolumeInUseException raced) {
                        // a container took it meanwhile: kept, as it is used
                    }
                }
            }
            NamedObjects.deleted(out, "Deleted Volumes:", deleted);
            if (!deleted.isEmpty()) {
                out.println();
            }
            out.println("Total reclaimed space: " + ByteSizes.human(reclaimed));
            out.flush();
            return 0;
        }
    }
}
