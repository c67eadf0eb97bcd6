package io.isola.launcher.cli;

import io.isola.launcher.BuildInfo;
import io.isola.launcher.cli.format.GoTemplate;
import io.isola.launcher.cli.format.Struct;
import io.isola.launcher.image.ImageStore;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.DockerStatus;
import io.isola.lifecycle.Lifecycle;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code isola info}, as Docker's: containers by state, images, the storage and cgroup setup, the host. */
@Command(
        name = "info",
        description = {
            "Show containers by state, images, storage, cgroup layout and the host.",
            "--format takes json or a Go template ({{.Containers}}, {{.CgroupVersion}}, {{json .}})."
        })
final class InfoCommand implements Callable<Integer> {

    @ParentCommand
    private IsolaCommand parent;

    @Option(
            names = {"-f", "--format"},
            paramLabel = "FORMAT",
            description = "json, or a Go template.")
    private String format;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        List<ContainerState> states =
                ListCommand.listed(new Lifecycle(parent.global().store()), parent.config());
        long running = states.stream()
                .filter(s -> DockerStatus.of(s) == DockerStatus.RUNNING)
                .count();
        long paused = states.stream()
                .filter(s -> DockerStatus.of(s) == DockerStatus.PAUSED)
                .count();
        ImageStore images = ImageStore.fromEnvironment();
        HostFacts.CgroupLayout layout = HostFacts.cgroupLayout();
        Struct info = new Struct("info")
                .with("Containers", (long) states.size())
                .with("ContainersRunning", running)
                .with("ContainersPaused", paused)
                .with("ContainersStopped", states.size() - running - paused)
                .with("Images", (long) images.list().size())
                .with("ServerVersion", BuildInfo.version())
                .with("Driver", "overlayfs")
                .with("CgroupDriver", "cgroupfs")
                .with("CgroupVersion", layout.dockerVersion())
                .with("CgroupLayout", layout.toString())
                .with("SecurityOptions", HostFacts.securityOptions())
                .with("KernelVersion", HostFacts.kernel())
                .with("OperatingSystem", HostFacts.operatingSystem())
                .with("OSType", "linux")
                .with("Architecture", HostFacts.architecture())
                .with("NCPU", (long) HostFacts.cpus())
                .with("MemTotal", HostFacts.memory())
                .with("StateRootDir", parent.global().store().root().toString())
                .with("ImageRootDir", images.root().toString())
                .with("ResidentServer", ResidentServerStatus.now().describe());
        PrintWriter out = spec.commandLine().getOut();
        if (format != null) {
            out.println(GoTemplate.ofFormat(format).execute(info));
            out.flush();
            return 0;
        }
        out.println("Server:");
        out.println(" Containers: " + info.get("Containers"));
        out.println("  Running: " + running);
        out.println("  Paused: " + paused);
        out.println("  Stopped: " + info.get("ContainersStopped"));
        out.println(" Images: " + info.get("Images"));
        out.println(" Server Version: " + info.get("ServerVersion"));
        out.println(" Storage Driver: overlayfs (userxattr)");
        out.println(" Cgroup Driver: cgroupfs");
        out.println(" Cgroup Version: " + layout.dockerVersion() + " (" + layout + ")");
        out.println(" Security Options: " + String.join(" ", HostFacts.securityOptions()));
        out.println(" Kernel Version: " + info.get("KernelVersion"));
        out.println(" Operating System: " + info.get("OperatingSystem"));
        out.println(" OSType: linux");
        out.println(" Architecture: " + info.get("Architecture"));
        out.println(" CPUs: " + info.get("NCPU"));
        out.println(" Total Memory: " + ByteSizes.human(HostFacts.memory()));
        out.println(" State Root Dir: " + info.get("StateRootDir"));
        out.println(" Image Root Dir: " + info.get("ImageRootDir"));
        out.println(" Resident Server: " + info.get("ResidentServer"));
        out.flush();
        return 0;
    }
}
