package io.isola.launcher.cli;

import io.isola.launcher.BuildInfo;
import io.isola.launcher.cli.format.GoTemplate;
import io.isola.launcher.cli.format.Struct;
import io.isola.lifecycle.ContainerState;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code isola version}, as Docker's: the client's and the server's versions; the server here is
 * the runtime of this installation (the resident server, when one runs, is the same build), with
 * the OCI runtime spec it implements, the kernel and the cgroup layout.
 */
@Command(
        name = "version",
        description = {
            "Show the version of isola, the OCI runtime spec, the kernel and the cgroup layout.",
            "--format takes json or a Go template ({{.Server.Version}}, {{json .}})."
        })
final class VersionCommand implements Callable<Integer> {

    @Option(
            names = {"-f", "--format"},
            paramLabel = "FORMAT",
            description = "json, or a Go template.")
    private String format;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        ResidentServerStatus server = ResidentServerStatus.now();
        Struct client = new Struct("client")
                .with("Version", BuildInfo.version())
                .with("JavaVersion", System.getProperty("java.version"))
                .with("Os", "linux")
                .with("Arch", HostFacts.architecture());
        Struct runtime = new Struct("server")
                .with("Version", BuildInfo.version())
                .with("OciVersion", ContainerState.OCI_VERSION)
                .with("KernelVersion", HostFacts.kernel())
                .with("CgroupLayout", HostFacts.cgroupLayout().toString())
                .with("ResidentServer", server.running())
                .with("ResidentServerPid", server.pid());
        Struct version = new Struct("version").with("Client", client).with("Server", runtime);
        PrintWriter out = spec.commandLine().getOut();
        if (format != null) {
            out.println(GoTemplate.ofFormat(format).execute(version));
            out.flush();
            return 0;
        }
        out.println("Client:");
        out.println(" Version:         " + client.get("Version"));
        out.println(" Java:            " + client.get("JavaVersion"));
        out.println(" OS/Arch:         linux/" + client.get("Arch"));
        out.println();
        out.println("Server: isola");
        out.println(" Version:         " + runtime.get("Version"));
        out.println(" OCI spec:        " + runtime.get("OciVersion"));
        out.println(" Kernel:          " + runtime.get("KernelVersion"));
        out.println(" Cgroup layout:   " + runtime.get("CgroupLayout"));
        out.println(" Resident server: " + server.describe());
        out.flush();
        return 0;
    }
}
