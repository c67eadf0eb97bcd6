package io.isola.launcher.cli.run;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * Docker's {@code --pid}, {@code --ipc} and {@code --uts}, which take a value ({@code host}
 * shares the host's namespace), and isola's own {@code --no-NAME} switches. These were once
 * negatable booleans: {@code --pid host} then made "host" the container's command. Joining
 * another container's namespace ({@code container:NAME}) has no CLI path yet, so it is refused.
 */
final class NamespaceOptions {

    @Option(
            names = "--uts",
            paramLabel = "MODE",
            description = "UTS namespace (host and domain name): private (the default) or host (the host's).")
    private String uts;

    @Option(
            names = "--ipc",
            paramLabel = "MODE",
            description =
                    "IPC namespace (System V IPC, POSIX queues): private or shareable (the default, a new one) or host.")
    private String ipc;

    @Option(
            names = "--pid",
            paramLabel = "MODE",
            description = "PID namespace: private (the default, CMD is PID 1) or host (sees the host's processes).")
    private String pid;

    @Option(names = "--no-uts", description = "The same as --uts host.")
    private boolean noUts;

    @Option(names = "--no-ipc", description = "The same as --ipc host.")
    private boolean noIpc;

    @Option(names = "--no-pid", description = "The same as --pid host.")
    private boolean noPid;

    @Option(
            names = "--no-mount",
            description = "No mount namespace: the host's mounts (no --rootfs, image, -v, --mount or --tmpfs).")
    private boolean noMount;

    /** How a flag asks for an isolator: a namespace of the container's own, the host's, or as configured. */
    private enum Choice {
        OWN,
        HOST,
        CONFIGURED
    }

    /** Applies the flags to {@code isolators}, the configured defaults. */
    void applyTo(Set<String> isolators) {
        Map<String, Choice> choices = new LinkedHashMap<>();
        choices.put("uts", choice("--uts", uts, noUts, "UTS", Set.of("private")));
        choices.put("ipc", choice("--ipc", ipc, noIpc, "IPC", Set.of("private", "shareable")));
        choices.put("pid", choice("--pid", pid, noPid, "PID", Set.of("private")));
        choices.put("mount", noMount ? Choice.HOST : Choice.CONFIGURED);
        choices.forEach((name, choice) -> {
            if (choice == Choice.OWN) {
                isolators.add(name);
            } else if (choice == Choice.HOST) {
                isolators.remove(name);
            }
        });
    }

    /** The flag that took the UTS namespace away, for errors about options that need it. */
    String utsDroppedBy() {
        return noUts ? "--no-uts" : "--uts host";
    }

    private static Choice choice(String option, String value, boolean no, String kind, Set<String> own) {
        if (no) {
            if (value != null && !value.equals("host")) {
                throw new IllegalArgumentException(
                        option + " \"" + value + "\" and --no-" + option.substring(2) + ": expected one of them");
            }
            return Choice.HOST;
        }
        if (value == null) {
            return Choice.CONFIGURED;
        }
        if (value.equals("host")) {
            return Choice.HOST;
        }
        if (own.contains(value)) {
            return Choice.OWN;
        }
        String allowed = own.size() == 1 ? "host or private" : "host, private or shareable";
        if (value.startsWith("container:")) {
            throw new IllegalArgumentException(
                    option + " \"" + value + "\": not supported by isola (joining another container's " + kind
                            + " namespace); expected " + allowed);
        }
        if (option.equals("--ipc") && value.equals("none")) {
            throw new IllegalArgumentException(
                    option + " \"" + value + "\": not supported by isola; expected " + allowed);
        }
        throw new IllegalArgumentException(option + " \"" + value + "\": expected " + allowed);
    }
}
