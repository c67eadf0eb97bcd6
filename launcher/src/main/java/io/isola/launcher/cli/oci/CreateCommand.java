package io.isola.launcher.cli.oci;

import io.isola.internal.launch.RemoteClone;
import io.isola.launcher.IsolaRuntime;
import io.isola.launcher.cli.IsolaCommand;
import io.isola.launcher.client.ServerStarter;
import io.isola.launcher.server.Invocation;
import io.isola.oci.OciPlan;
import io.isola.oci.OciRuntime;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * OCI {@code create}: sets the container up from its bundle and leaves its process waiting at the
 * gate (a FIFO in the state directory) for {@code start}. The container's stdio is this
 * command's own, as engines expect.
 */
@Command(
        name = "create",
        sortOptions = false,
        description = {
            "Create a container from an OCI bundle (OCI runtime verb): with -b/--bundle, --pid-file,",
            "--console-socket, --preserve-fds, or a lone ID in a directory holding config.json.",
            "Any other arguments are Docker's: isola create [run's OPTIONS] IMAGE [COMMAND] makes the",
            "container without starting it; isola start runs it (in the background, as start -d)."
        })
public final class CreateCommand implements Callable<Integer> {

    /** The hooks create runs: a hook is the runtime's child, so with any a create is not served. */
    private static final List<String> HOOKS_OF_CREATE = List.of("createRuntime", "prestart", "createContainer");

    @ParentCommand
    private IsolaCommand parent;

    @Option(
            names = {"-b", "--bundle"},
            paramLabel = "DIR",
            defaultValue = ".",
            description = "The bundle (default: .).")
    private Path bundle;

    @Option(names = "--pid-file", paramLabel = "FILE", description = "Write the container's pid to FILE.")
    private Path pidFile;

    @Option(
            names = "--console-socket",
            paramLabel = "SOCKET",
            description =
                    "AF_UNIX socket that receives the master of the container's terminal (process.terminal must be true).")
    private Path consoleSocket;

    @Option(
            names = "--preserve-fds",
            paramLabel = "N",
            defaultValue = "0",
            description = "Pass this command's file descriptors 3 to 3+N-1 into the container, under the same numbers.")
    private int preserveFds;

    @Option(names = "--no-pivot", hidden = true, description = "Accepted, as runc does.")
    private boolean noPivot;

    /**
     * runc then leaves the container its caller's session keyring. isola does not: every container
     * joins a new one (docs/security.md, "A container takes nothing of its caller's session"), so
     * an engine's keys (a Kerberos or ecryptfs login) stay out of reach of a container whose filter
     * allows keyctl. A kernel or a filter without keyctl (ENOSYS) needs no flag: that is tolerated.
     */
    @Option(
            names = "--no-new-keyring",
            description = "Accepted and ignored: unlike runc, which then keeps the caller's session keyring,"
                    + " isola always gives the container a new one.")
    private boolean noNewKeyring;

    @Parameters(index = "0", paramLabel = "ID")
    private String id;

    @Override
    public Integer call() throws Exception {
        Invocation served = Invocation.current();
        RemoteClone cloner = served == null ? null : served.cloner();
        if (served != null) {
            requireThin(cloner);
        }
        OciRuntime oci = new OciRuntime(parent.global().store(), parent.global().ociOptions());
        OciRuntime.CreateOptions options = new OciRuntime.CreateOptions(pidFile, consoleSocket, preserveFds);
        OciPlan plan = oci.plan(bundle, options); // every refusal before anything exists
        if (cloner != null) {
            for (String kind : HOOKS_OF_CREATE) {
                if (!plan.hooks(kind).isEmpty()) {
                    throw new Invocation.NotServed("create runs " + kind + " hooks: in the caller's process");
                }
            }
            plan.spec().with(cloner);
        }
        Set<String> isolators = plan.spec().build().isolators().orElse(Set.of());
        try (IsolaRuntime runtime = IsolaRuntime.withIsolators(parent.config(), isolators)) {
            oci.create(runtime.isola(), id, bundle, plan, options);
        } catch (RemoteClone.Unsupported e) {
            throw new Invocation.NotServed(e.getMessage()); // nothing is left: create undid it
        }
        if (served == null) {
            // for the start, state and delete the engine calls next
            ServerStarter.startIfNone(System.getenv());
        }
        return 0;
    }

    /**
     * A served create plans only: the container must be forked in the engine's process tree
     * (conmon or the shim reaps it), so the client clones it from the plan (a thin create), with
     * no fds of the server's but the protocol's. Anything else runs in the client's process.
     */
    private void requireThin(RemoteClone cloner) {
        if (cloner == null) {
            throw new Invocation.NotServed("create forks the container in the caller's process tree, not the server's");
        }
        if (consoleSocket != null || preserveFds != 0) {
            throw new Invocation.NotServed("a thin create passes no console socket or preserved fds");
        }
    }
}
